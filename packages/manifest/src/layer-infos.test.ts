import { parseDigest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import {
  compressionOfMediaType,
  configDescriptor,
  type ImageManifest,
  layerInfos,
  layerMediaTypeFor,
  parseManifest,
} from './index.ts';
import { fixture, sha256 } from './test-support/fixtures.ts';

const load = (name: string): ImageManifest => parseManifest(fixture(name)) as ImageManifest;

describe('layerInfos', () => {
  it('reports schema 2 layers with compression from media types', () => {
    const infos = layerInfos(load('docker-schema2.json'));
    expect(infos.map((l) => l.compression)).toEqual(['gzip', 'gzip', 'none']);
    expect(infos[1]?.urls).toEqual(['https://example.invalid/layer1']);
    expect(infos.every((l) => !l.emptyLayer && typeof l.size === 'number')).toBe(true);
  });

  it('reports OCI zstd and non-distributable layers', () => {
    const infos = layerInfos(load('oci-manifest.json'));
    expect(infos.map((l) => l.compression)).toEqual(['gzip', 'zstd', 'gzip']);
    expect(infos[0]?.annotations).toEqual({ 'org.example.a': '1' });
  });

  it('reverses schema 1 layers and flags throwaway ones as empty', () => {
    const m = load('docker-schema1-signed.json');
    const infos = layerInfos(m);
    expect(infos.map((l) => l.emptyLayer)).toEqual([false, false, true]);
    expect(infos[2]?.digest).toBe('sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4');
    expect(infos[0]?.digest).toBe(sha256('layer-0'));
    expect(infos[0]?.size).toBeUndefined();
    expect(configDescriptor(m)).toBeUndefined();
  });

  it('gives the config descriptor', () => {
    const config = configDescriptor(load('docker-schema2.json'));
    expect(config?.digest).toBe(parseDigest(sha256(fixture('config-docker.json'))));
    expect(config?.size).toBe(fixture('config-docker.json').byteLength);
  });
});

describe('layer compression media types', () => {
  it('names compressions, looking through +encrypted', () => {
    expect(compressionOfMediaType('application/vnd.oci.image.layer.v1.tar+zstd+encrypted')).toBe('zstd');
    expect(compressionOfMediaType('application/vnd.docker.image.rootfs.foreign.diff.tar')).toBe('none');
    expect(compressionOfMediaType('application/x-custom')).toBe('unknown');
  });

  it('maps variants within a format and refuses zstd in Docker', () => {
    expect(layerMediaTypeFor('docker', 'application/vnd.docker.image.rootfs.diff.tar.gzip', 'none')).toBe(
      'application/vnd.docker.image.rootfs.diff.tar',
    );
    expect(layerMediaTypeFor('oci', 'application/vnd.oci.image.layer.nondistributable.v1.tar', 'zstd')).toBe(
      'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
    );
    expect(layerMediaTypeFor('oci', 'application/vnd.oci.image.layer.v1.tar+gzip+encrypted', 'zstd')).toBe(
      'application/vnd.oci.image.layer.v1.tar+zstd+encrypted',
    );
    expect(() => layerMediaTypeFor('docker', 'application/vnd.docker.image.rootfs.diff.tar.gzip', 'zstd')).toThrow(
      expect.objectContaining({ code: 'ERR_MANIFEST_CONVERSION', message: expect.stringMatching(/zstd/) }),
    );
    expect(() => layerMediaTypeFor('oci', 'application/x-custom', 'gzip')).toThrow(
      expect.objectContaining({ code: 'ERR_MANIFEST_CONVERSION' }),
    );
  });
});
