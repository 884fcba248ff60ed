import { digestBytes } from '@ferry/blob';
import { DOCKER_V2S1_MEDIA_TYPE, DOCKER_V2S2_CONFIG_MEDIA_TYPE, DOCKER_V2S2_MEDIA_TYPE } from '@ferry/manifest';
import { type BlobInfo, type Digest, type ImageSource, isImageError, MANIFEST_LIMIT } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { describeImage } from './describe-image.ts';

const enc = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** A source holding one manifest and its blobs in memory; it records which blobs were read. */
function fakeSource(manifest: Uint8Array, mediaType: string | undefined, blobs: Map<string, Uint8Array>) {
  const reads: Digest[] = [];
  const source = {
    reference: { transport: { name: 'fake' }, withinTransport: 'image' },
    getManifest: async () => ({ bytes: manifest, mediaType }),
    getBlob: async (info: BlobInfo) => {
      reads.push(info.digest);
      const bytes = blobs.get(info.digest) ?? new Uint8Array();
      return {
        stream: (async function* () {
          yield bytes;
        })(),
        size: bytes.byteLength,
      };
    },
    [Symbol.asyncDispose]: async () => {},
  } as unknown as ImageSource;
  return { source, reads };
}

function schema2(config: Uint8Array, declared?: { digest: Digest; size: number }) {
  const descriptor = {
    mediaType: DOCKER_V2S2_CONFIG_MEDIA_TYPE,
    digest: declared?.digest ?? digestBytes(config),
    size: declared?.size ?? config.byteLength,
  };
  return enc({ schemaVersion: 2, mediaType: DOCKER_V2S2_MEDIA_TYPE, config: descriptor, layers: [] });
}

describe('describeImage with an in-memory source', () => {
  it('describes a schema 1 image as linux on its architecture, reading no blob', async () => {
    const manifest = enc({
      schemaVersion: 1,
      name: 'library/app',
      tag: 'latest',
      architecture: 'arm64',
      fsLayers: [{ blobSum: digestBytes('layer') }],
      history: [{ v1Compatibility: JSON.stringify({ id: 'a'.repeat(64) }) }],
    });
    const { source, reads } = fakeSource(manifest, DOCKER_V2S1_MEDIA_TYPE, new Map());
    const got = await describeImage(source, undefined);
    expect(got).toEqual({
      digest: digestBytes(manifest),
      size: manifest.byteLength,
      mediaType: DOCKER_V2S1_MEDIA_TYPE,
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(reads).toEqual([]);
  });

  it('guesses the type when the source does not know it, and reads the config', async () => {
    const config = enc({ os: 'linux', architecture: 'arm', variant: 'v6', rootfs: { type: 'layers', diff_ids: [] } });
    const manifest = schema2(config);
    const { source, reads } = fakeSource(manifest, undefined, new Map([[digestBytes(config), config]]));
    const got = await describeImage(source, undefined);
    expect(got.mediaType).toBe(DOCKER_V2S2_MEDIA_TYPE);
    expect(got.platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(reads).toEqual([digestBytes(config)]);
  });

  it('does not read the config when given a platform hint', async () => {
    const config = enc({ os: 'linux', architecture: 'amd64' });
    const { source, reads } = fakeSource(schema2(config), undefined, new Map([[digestBytes(config), config]]));
    const got = await describeImage(source, undefined, { platformHint: { os: 'linux', architecture: 'ppc64le' } });
    expect(got.platform).toEqual({ os: 'linux', architecture: 'ppc64le' });
    expect(reads).toEqual([]);
  });

  it('verifies the config against its digest', async () => {
    const config = enc({ os: 'linux', architecture: 'amd64' });
    const other = enc({ os: 'linux', architecture: 'arm64' });
    const manifest = schema2(config, { digest: digestBytes(config), size: other.byteLength });
    const { source } = fakeSource(manifest, undefined, new Map([[digestBytes(config), other]]));
    const err = await describeImage(source, undefined).catch((e: unknown) => e);
    expect(isImageError(err, 'ERR_DIGEST_MISMATCH')).toBe(true);
  });

  it('refuses a config declared over 4 MiB without reading it', async () => {
    const config = enc({ os: 'linux', architecture: 'amd64' });
    const manifest = schema2(config, { digest: digestBytes(config), size: MANIFEST_LIMIT + 1 });
    const { source, reads } = fakeSource(manifest, undefined, new Map([[digestBytes(config), config]]));
    const err = await describeImage(source, undefined).catch((e: unknown) => e);
    expect(isImageError(err, 'ERR_TOO_LARGE')).toBe(true);
    expect(reads).toEqual([]);
  });

  it('refuses a config without architecture, or that is not JSON, with ERR_INVALID_IMAGE', async () => {
    for (const config of [enc({ os: 'linux' }), new TextEncoder().encode('not json'), enc({ os: 1 })]) {
      const { source } = fakeSource(schema2(config), undefined, new Map([[digestBytes(config), config]]));
      const err = await describeImage(source, undefined).catch((e: unknown) => e);
      expect(isImageError(err, 'ERR_INVALID_IMAGE')).toBe(true);
    }
  });

  it('refuses a manifest that is not the instance asked for', async () => {
    const config = enc({ os: 'linux', architecture: 'amd64' });
    const { source } = fakeSource(schema2(config), undefined, new Map([[digestBytes(config), config]]));
    const err = await describeImage(source, digestBytes('another')).catch((e: unknown) => e);
    expect(isImageError(err, 'ERR_DIGEST_MISMATCH')).toBe(true);
  });
});
