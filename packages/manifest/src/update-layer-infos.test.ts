import { type Digest, parseDigest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import {
  DOCKER_V2S1_MEDIA_TYPE,
  type ImageManifest,
  type LayerUpdate,
  layerInfos,
  manifestDigest,
  parseManifest,
  updateLayerInfos,
} from './index.ts';
import { fixture, sha256 } from './test-support/fixtures.ts';

const load = (name: string): ImageManifest => parseManifest(fixture(name)) as ImageManifest;
const d = (label: string): Digest => parseDigest(sha256(label));

describe('updateLayerInfos', () => {
  it('updates digests, sizes and media types of a Docker schema 2 manifest', () => {
    const m = load('docker-schema2.json');
    const updated = updateLayerInfos(m, [
      { digest: d('n0'), size: 10, compression: 'none' },
      { digest: d('n1'), size: 11 },
      { digest: d('n2'), size: 12, compression: 'gzip' },
    ]);
    expect(updated.kind).toBe('docker-schema2');
    if (updated.kind !== 'docker-schema2') return;
    expect(updated.layers.map((l) => l.mediaType)).toEqual([
      'application/vnd.docker.image.rootfs.diff.tar',
      'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
      'application/vnd.docker.image.rootfs.diff.tar.gzip',
    ]);
    expect(updated.layers.map((l) => l.size)).toEqual([10, 11, 12]);
    expect(updated.layers[1]?.urls).toEqual(['https://example.invalid/layer1']);
    expect(updated.config).toEqual(m.kind === 'docker-schema2' ? m.config : undefined);
    expect(updated.digest).toBe(manifestDigest(updated.bytes));
  });

  it('refuses zstd and encryption in Docker schema 2', () => {
    const m = load('docker-schema2.json');
    const base: LayerUpdate[] = layerInfos(m).map((l) => ({ digest: l.digest, size: l.size ?? 0 }));
    const withFirst = (patch: Partial<LayerUpdate>): LayerUpdate[] =>
      base.map((u, i) => (i === 0 ? { ...u, ...patch } : u));
    expect(() => updateLayerInfos(m, withFirst({ compression: 'zstd' }))).toThrow(
      expect.objectContaining({ code: 'ERR_MANIFEST_CONVERSION', message: expect.stringMatching(/zstd/) }),
    );
    expect(() => updateLayerInfos(m, withFirst({ encryption: 'encrypt' }))).toThrow(
      expect.objectContaining({
        code: 'ERR_MANIFEST_CONVERSION',
        message: expect.stringMatching(/^layers\[0\]: encryption/),
      }),
    );
    // the same update without the zstd change passes
    expect(updateLayerInfos(m, withFirst({ compression: 'gzip' })).kind).toBe('docker-schema2');
  });

  it('changes OCI compression, keeps annotations and handles encryption', () => {
    const m = load('oci-manifest.json');
    const updated = updateLayerInfos(m, [
      { digest: d('a'), size: 1, compression: 'zstd', encryption: 'encrypt' },
      { digest: d('b'), size: 2, compression: 'gzip' },
      { digest: d('c'), size: 3, compression: 'zstd', annotations: { x: 'y' } },
    ]);
    if (updated.kind !== 'oci-manifest') throw new Error('kind');
    expect(updated.layers.map((l) => l.mediaType)).toEqual([
      'application/vnd.oci.image.layer.v1.tar+zstd+encrypted',
      'application/vnd.oci.image.layer.v1.tar+gzip',
      'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
    ]);
    expect(updated.layers[0]?.annotations).toEqual({ 'org.example.a': '1' });
    expect(updated.layers[2]?.annotations).toEqual({ x: 'y' });
    expect(updated.annotations).toEqual(m.kind === 'oci-manifest' ? m.annotations : undefined);
    const decrypted = updateLayerInfos(updated, [
      { digest: d('a'), size: 1, encryption: 'decrypt' },
      { digest: d('b'), size: 2 },
      { digest: d('c'), size: 3 },
    ]);
    expect(layerInfos(decrypted)[0]?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    expect(() =>
      updateLayerInfos(m, [
        { digest: d('a'), size: 1, encryption: 'decrypt' },
        { digest: d('b'), size: 2 },
        { digest: d('c'), size: 3 },
      ]),
    ).toThrow(/not encrypted/);
  });

  it('rewrites schema 1 blobSums in reverse and drops the signature', () => {
    const m = load('docker-schema1-signed.json');
    const infos = layerInfos(m);
    const updated = updateLayerInfos(m, [
      { digest: d('x0'), size: 0 },
      { digest: d('x1'), size: 0, compression: 'gzip' },
      { digest: infos[2]?.digest as Digest, size: 0 },
    ]);
    if (updated.kind !== 'docker-schema1') throw new Error('kind');
    expect(updated.mediaType).toBe(DOCKER_V2S1_MEDIA_TYPE);
    expect(updated.fsLayers).toEqual([infos[2]?.digest, d('x1'), d('x0')]);
    expect(updated.history.map((h) => h.id)).toEqual(m.kind === 'docker-schema1' ? m.history.map((h) => h.id) : []);
    expect(() =>
      updateLayerInfos(m, [
        { digest: d('x0'), size: 0, compression: 'zstd' },
        { digest: d('x1'), size: 0 },
        { digest: d('x2'), size: 0 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'ERR_MANIFEST_CONVERSION' }));
  });

  it('refuses a changed layer count and bad sizes', () => {
    const m = load('oci-manifest.json');
    expect(() => updateLayerInfos(m, [])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() =>
      updateLayerInfos(m, [
        { digest: d('a'), size: -1 },
        { digest: d('b'), size: 2 },
        { digest: d('c'), size: 3 },
      ]),
    ).toThrow(/layers\[0\]\.size/);
  });
});
