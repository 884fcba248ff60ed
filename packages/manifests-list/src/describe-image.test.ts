import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestBytes } from '@ferry/blob';
import { dirTransport } from '@ferry/dir';
import { DOCKER_V2S2_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE } from '@ferry/manifest';
import { ociTransport } from '@ferry/oci-layout';
import { type Digest, type ImageError, type ImageReference, isImageError, parseDigest } from '@ferry/types';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeImage } from './describe-image.ts';
import type { ListInstance } from './list-types.ts';
import { ManifestList } from './manifest-list.ts';
import { skopeo, type TestDescriptor, TestLayout } from './test-support/image-layout.ts';
import { tempDir } from './test-support/store-fixtures.ts';

let layout: TestLayout;
let amd64: TestDescriptor & { bytes: Uint8Array };
let arm64: TestDescriptor & { bytes: Uint8Array };
let windows: TestDescriptor & { bytes: Uint8Array };
let artifact: TestDescriptor & { bytes: Uint8Array };

beforeAll(async () => {
  layout = await TestLayout.create(await tempDir());
  amd64 = await layout.image({ os: 'linux', architecture: 'amd64' }, 'amd64');
  arm64 = await layout.image({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'arm64');
  windows = await layout.image(
    { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1879', 'os.features': ['win32k'] },
    'windows',
  );
  const noOs = await layout.image({ architecture: 'amd64' }, 'no-os');
  const config = await layout.blob('application/vnd.example.thing.config+json', new TextEncoder().encode('{}'));
  const payload = await layout.blob('application/vnd.example.thing', new TextEncoder().encode('hello'));
  artifact = await layout.manifest({ config, layers: [payload] });
  const typed = await layout.manifest({
    config: await layout.blob('application/vnd.oci.empty.v1+json', new TextEncoder().encode('{}')),
    layers: [payload],
    extra: { artifactType: 'application/vnd.example.sbom' },
  });
  const multi = await layout.index([
    { ...descriptor(amd64), platform: { architecture: 'amd64', os: 'linux' } },
    { ...descriptor(arm64), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
  ]);
  for (const [d, tag] of [
    [amd64, 'amd64'],
    [windows, 'windows'],
    [noOs, 'no-os'],
    [artifact, 'artifact'],
    [typed, 'typed'],
    [multi, 'multi'],
  ] as const) {
    layout.tag(d, tag);
  }
  await layout.commit();
});

function descriptor(d: TestDescriptor): TestDescriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

function oci(tag: string): ImageReference {
  return ociTransport().parseReference(`${layout.dir}:${tag}`);
}

async function describeRef(ref: ImageReference, instance?: Digest, hint?: ListInstance['platform']) {
  await using source = await ref.newImageSource();
  return describeImage(source, instance, hint === undefined ? {} : { platformHint: hint });
}

describe('describeImage on an OCI layout', () => {
  it('describes a single image from its manifest and config', async () => {
    const got = await describeRef(oci('amd64'));
    expect(got).toEqual({
      digest: digestBytes(amd64.bytes),
      size: amd64.bytes.byteLength,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      platform: { os: 'linux', architecture: 'amd64' },
    });
  });

  it('reads variant, os.version and os.features from the config', async () => {
    const got = await describeRef(oci('windows'));
    expect(got.platform).toEqual({
      os: 'windows',
      architecture: 'amd64',
      osVersion: '10.0.17763.1879',
      osFeatures: ['win32k'],
    });
  });

  it('refuses a list, and describes one of its instances by digest', async () => {
    const err = await describeRef(oci('multi')).catch((e: unknown) => e);
    expect(isImageError(err, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((err as ImageError).message).toContain('is a list; add it with all or choose an instance');
    const got = await describeRef(oci('multi'), parseDigest(arm64.digest));
    expect(got.digest).toBe(arm64.digest);
    expect(got.size).toBe(arm64.size);
    expect(got.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
  });

  it('takes the platform hint instead of reading the config', async () => {
    const hint = { os: 'linux', architecture: 'arm64', variant: 'v8', features: ['sve'] };
    const got = await describeRef(oci('multi'), parseDigest(arm64.digest), hint);
    expect(got.platform).toEqual(hint);
  });

  it('gives an artifact no platform and its artifact type', async () => {
    const untyped = await describeRef(oci('artifact'));
    expect(untyped.platform).toBeUndefined();
    expect(untyped.artifactType).toBe('application/vnd.example.thing.config+json');
    const typed = await describeRef(oci('typed'));
    expect(typed.platform).toBeUndefined();
    expect(typed.artifactType).toBe('application/vnd.example.sbom');
    const hinted = await describeRef(oci('typed'), undefined, { os: 'linux', architecture: 'amd64' });
    expect(hinted.platform).toEqual({ os: 'linux', architecture: 'amd64' });
  });

  it('refuses a config without os', async () => {
    const err = await describeRef(oci('no-os')).catch((e: unknown) => e);
    expect(isImageError(err, 'ERR_INVALID_IMAGE')).toBe(true);
    expect((err as ImageError).message).toContain('has no os');
  });

  it('fails on an unknown instance digest with the source error', async () => {
    const err = await describeRef(oci('multi'), digestBytes('nothing')).catch((e: unknown) => e);
    expect(isImageError(err, 'ERR_MANIFEST_UNKNOWN')).toBe(true);
  });

  it('surfaces an abort as the signal reason', async () => {
    await using source = await oci('amd64').newImageSource();
    const reason = new Error('stop');
    await expect(describeImage(source, undefined, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});

describe('describeImage on a Docker schema 2 image (dir:)', () => {
  it('reads the platform from the Docker config', async () => {
    const out = join(await tempDir(), 'img');
    await skopeo('copy', '--format', 'v2s2', `oci:${layout.dir}:windows`, `dir:${out}`);
    const bytes = await readFile(join(out, 'manifest.json'));
    const got = await describeRef(dirTransport().parseReference(out));
    expect(got.mediaType).toBe(DOCKER_V2S2_MEDIA_TYPE);
    expect(got.digest).toBe(digestBytes(bytes));
    expect(got.size).toBe(bytes.byteLength);
    expect(got.platform).toEqual({
      os: 'windows',
      architecture: 'amd64',
      osVersion: '10.0.17763.1879',
      osFeatures: ['win32k'],
    });
    // and such an instance goes into a Docker list
    const list = ManifestList.empty().add(got);
    expect(ManifestList.parse(list.serialize('v2s2').bytes).instances).toEqual([got]);
  });
});
