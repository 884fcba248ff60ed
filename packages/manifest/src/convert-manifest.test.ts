import { gunzipSync } from 'node:zlib';
import { type Digest, parseDigest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import {
  convertManifest,
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  type DockerSchema1Manifest,
  type DockerSchema2Manifest,
  GZIPPED_EMPTY_LAYER,
  GZIPPED_EMPTY_LAYER_DIGEST,
  layerInfos,
  type Manifest,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  type OciManifest,
  parseImageConfig,
  parseManifest,
  updateLayerInfos,
} from './index.ts';
import { fixture, fixtureJson, jsonBytes, sha256 } from './test-support/fixtures.ts';

const load = (name: string): Manifest => parseManifest(fixture(name));
const hex = (digest: string): string => digest.slice('sha256:'.length);
const config = parseImageConfig(fixture('config-docker.json'));

describe('schema 2 ↔ OCI', () => {
  it('maps layer and config media types, keeping digests and urls', () => {
    const s2 = load('docker-schema2.json') as DockerSchema2Manifest;
    const { manifest, extraBlobs } = convertManifest(s2, OCI_MANIFEST_MEDIA_TYPE);
    const oci = manifest as OciManifest;
    expect(extraBlobs).toEqual([]);
    expect(oci.config).toEqual({ ...s2.config, mediaType: 'application/vnd.oci.image.config.v1+json' });
    expect(oci.layers.map((l) => l.mediaType)).toEqual([
      'application/vnd.oci.image.layer.v1.tar+gzip',
      'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
      'application/vnd.oci.image.layer.v1.tar',
    ]);
    expect(oci.layers[1]?.urls).toEqual(['https://example.invalid/layer1']);
    const back = convertManifest(oci, DOCKER_V2S2_MEDIA_TYPE).manifest as DockerSchema2Manifest;
    expect(back.layers).toEqual(s2.layers);
    expect(back.config).toEqual(s2.config);
  });

  it('refuses zstd, encrypted layers and artifacts in Docker schema 2', () => {
    const oci = load('oci-manifest.json') as OciManifest;
    expect(() => convertManifest(oci, DOCKER_V2S2_MEDIA_TYPE)).toThrow(/layers\[1\].*zstd/);
    const gz = updateLayerInfos(oci, [
      { digest: oci.layers[0]?.digest as Digest, size: 1, encryption: 'encrypt' },
      { digest: oci.layers[1]?.digest as Digest, size: 1, compression: 'gzip' },
      { digest: oci.layers[2]?.digest as Digest, size: 1 },
    ]);
    expect(() => convertManifest(gz, DOCKER_V2S1_MEDIA_TYPE, { config })).toThrow(
      expect.objectContaining({ code: 'ERR_MANIFEST_CONVERSION', message: expect.stringMatching(/encrypted/) }),
    );
    const doc = fixtureJson('oci-manifest.json');
    const artifact = parseManifest(
      jsonBytes({ ...doc, config: { ...(doc.config as object), mediaType: 'application/vnd.example.sbom' } }),
    );
    expect(() => convertManifest(artifact, DOCKER_V2S2_MEDIA_TYPE)).toThrow(/artifact/);
  });
});

describe('to schema 1', () => {
  const s2 = load('docker-schema2.json') as DockerSchema2Manifest;

  it('builds fsLayers/history from the config history, as containers/image does', () => {
    const { manifest, extraBlobs } = convertManifest(s2, DOCKER_V2S1_MEDIA_TYPE, {
      config,
      name: 'library/app',
      tag: 'v1',
    });
    const s1 = manifest as DockerSchema1Manifest;
    expect(s1.mediaType).toBe(DOCKER_V2S1_MEDIA_TYPE);
    expect([s1.name, s1.tag, s1.architecture]).toEqual(['library/app', 'v1', 'amd64']);
    // 5 history entries, top first: CMD (empty), make, ENV (empty), apk, ADD
    const L = s2.layers.map((l) => l.digest);
    expect(s1.fsLayers).toEqual([GZIPPED_EMPTY_LAYER_DIGEST, L[2], GZIPPED_EMPTY_LAYER_DIGEST, L[1], L[0]]);
    // v1 IDs computed independently: sha256 of "<blob hex> <parent id>"
    const id0 = hex(sha256(`${hex(L[0] as string)} `));
    const id1 = hex(sha256(`${hex(L[1] as string)} ${id0}`));
    const id2 = hex(sha256(`${hex(GZIPPED_EMPTY_LAYER_DIGEST)} ${id1}`));
    const id3 = hex(sha256(`${hex(L[2] as string)} ${id2}`));
    const configText = new TextDecoder().decode(fixture('config-docker.json'));
    const id4 = hex(sha256(`${hex(GZIPPED_EMPTY_LAYER_DIGEST)} ${id3} ${configText}`));
    expect(s1.history.map((h) => h.id)).toEqual([id4, id3, id2, id1, id0]);
    expect(s1.history[3]?.v1Compatibility).toBe(
      `{"id":"${id1}","parent":"${id0}","comment":"buildkit","created":"2024-01-01T00:00:01Z","container_config":{"Cmd":["/bin/sh -c apk add curl"]}}`,
    );
    const top = JSON.parse(s1.history[0]?.v1Compatibility ?? '{}') as Record<string, unknown>;
    expect(Object.keys(top)).toEqual([...Object.keys(top)].sort());
    expect(top).toMatchObject({ id: id4, parent: id3, throwaway: true, os: 'linux', docker_version: '24.0.0' });
    expect(top.rootfs).toBeUndefined();
    expect(top.history).toBeUndefined();
    expect(layerInfos(s1).map((l) => l.emptyLayer)).toEqual([false, false, true, false, true]);
    // the empty layer must be stored too; check it independently
    expect(extraBlobs).toHaveLength(1);
    expect(extraBlobs[0]?.digest).toBe(sha256(GZIPPED_EMPTY_LAYER));
    expect(gunzipSync(extraBlobs[0]?.bytes as Uint8Array)).toEqual(Buffer.alloc(1024));
  });

  it('needs the right config', () => {
    expect(() => convertManifest(s2, DOCKER_V2S1_MEDIA_TYPE)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    const other = parseImageConfig(fixture('config-oci.json'));
    expect(() => convertManifest(s2, DOCKER_V2S1_MEDIA_TYPE, { config: other })).toThrow(
      expect.objectContaining({ code: 'ERR_DIGEST_MISMATCH' }),
    );
  });
});

describe('from schema 1', () => {
  const s1 = load('docker-schema1-signed.json') as DockerSchema1Manifest;
  const facts = [
    { diffId: parseDigest(sha256('diff-0')), size: 100 },
    { diffId: parseDigest(sha256('diff-1')), size: 200 },
    { diffId: parseDigest(sha256('unused')), size: 32 },
  ];

  it('builds a schema 2 manifest and config from v1Compatibility', () => {
    const { manifest, extraBlobs } = convertManifest(s1, DOCKER_V2S2_MEDIA_TYPE, { layers: facts });
    const s2 = manifest as DockerSchema2Manifest;
    expect(s2.layers).toEqual([
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 100, digest: sha256('layer-0') },
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 200, digest: sha256('layer-1') },
    ]);
    expect(extraBlobs).toHaveLength(1);
    const blob = extraBlobs[0];
    expect(blob?.digest).toBe(sha256(blob?.bytes as Uint8Array));
    expect(s2.config.digest).toBe(blob?.digest);
    const cfg = parseImageConfig(blob?.bytes as Uint8Array);
    expect(cfg.diffIds).toEqual([sha256('diff-0'), sha256('diff-1')]);
    expect(cfg.history).toEqual([
      {
        created: '2024-01-01T00:00:00Z',
        createdBy: '/bin/sh -c #(nop) ADD file:abc in /',
        comment: 'base',
        emptyLayer: false,
      },
      { created: '2024-01-01T00:00:01Z', createdBy: '/bin/sh -c apk add curl', author: 'ferry', emptyLayer: false },
      { created: '2024-01-01T00:00:02Z', createdBy: '/bin/sh -c #(nop) CMD ["sh"]', emptyLayer: true },
    ]);
    expect(cfg.config?.cmd).toEqual(['sh']);
    expect(cfg.json.id).toBeUndefined();
    expect(cfg.json.parent).toBeUndefined();
    expect(cfg.json.throwaway).toBeUndefined();
  });

  it('goes on to OCI, and needs the layer facts', () => {
    const { manifest, extraBlobs } = convertManifest(s1, OCI_MANIFEST_MEDIA_TYPE, { layers: facts });
    expect(manifest.kind).toBe('oci-manifest');
    expect(extraBlobs[0]?.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(() => convertManifest(s1, DOCKER_V2S2_MEDIA_TYPE)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => convertManifest(s1, DOCKER_V2S2_MEDIA_TYPE, { layers: facts.slice(1) })).toThrow(/3 layers/);
  });

  it('round-trips schema 2 → schema 1 → schema 2 keeping layers and diff IDs', () => {
    const s2 = load('docker-schema2.json') as DockerSchema2Manifest;
    const s1b = convertManifest(s2, DOCKER_V2S1_MEDIA_TYPE, { config }).manifest as DockerSchema1Manifest;
    const byDigest = new Map(
      s2.layers.map((l, i) => [l.digest as string, { diffId: config.diffIds[i] as Digest, size: l.size }]),
    );
    const layerFacts = layerInfos(s1b).map(
      (l) => byDigest.get(l.digest) ?? { diffId: config.diffIds[0] as Digest, size: 32 },
    );
    const { manifest, extraBlobs } = convertManifest(s1b, DOCKER_V2S2_MEDIA_TYPE, { layers: layerFacts });
    const back = manifest as DockerSchema2Manifest;
    expect(back.layers.map((l) => [l.digest, l.size])).toEqual(s2.layers.map((l) => [l.digest, l.size]));
    expect(parseImageConfig(extraBlobs[0]?.bytes as Uint8Array).diffIds).toEqual(config.diffIds);
  });
});

describe('lists', () => {
  it('converts a Docker list to an OCI index and back', () => {
    const list = load('docker-manifest-list.json');
    const index = convertManifest(list, OCI_INDEX_MEDIA_TYPE).manifest;
    expect(index.kind).toBe('oci-index');
    if (index.kind !== 'oci-index' || list.kind !== 'docker-manifest-list') return;
    expect(index.manifests).toEqual(list.manifests);
    const back = convertManifest(index, DOCKER_V2_LIST_MEDIA_TYPE).manifest;
    expect(back.kind === 'docker-manifest-list' && back.manifests).toEqual(list.manifests);
  });

  it('drops OCI annotations going to a Docker list', () => {
    const back = convertManifest(load('oci-index.json'), DOCKER_V2_LIST_MEDIA_TYPE).manifest;
    if (back.kind !== 'docker-manifest-list') throw new Error('kind');
    expect(back.manifests[3]?.annotations).toBeUndefined();
    expect(back.manifests[3]?.platform).toEqual({ os: 'unknown', architecture: 'unknown' });
  });

  it('refuses list ↔ single manifest', () => {
    expect(() => convertManifest(load('oci-index.json'), OCI_MANIFEST_MEDIA_TYPE)).toThrow(
      expect.objectContaining({ code: 'ERR_MANIFEST_CONVERSION' }),
    );
    expect(() => convertManifest(load('oci-manifest.json'), OCI_INDEX_MEDIA_TYPE)).toThrow(
      expect.objectContaining({ code: 'ERR_MANIFEST_CONVERSION' }),
    );
    expect(() => convertManifest(load('docker-schema2.json'), DOCKER_V2_LIST_MEDIA_TYPE)).toThrow(
      expect.objectContaining({ code: 'ERR_MANIFEST_CONVERSION' }),
    );
  });

  it('returns a manifest of the target type unchanged', () => {
    const m = load('docker-schema1-signed.json');
    expect(convertManifest(m, DOCKER_V2S1_MEDIA_TYPE).manifest).toBe(m);
  });
});
