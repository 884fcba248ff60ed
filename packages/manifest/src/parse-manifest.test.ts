import { describe, expect, it } from 'vitest';
import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  parseDockerSchema1,
  parseManifest,
} from './index.ts';
import { fixture, fixtureJson, jsonBytes, sha256 } from './test-support/fixtures.ts';

describe('parseManifest on valid fixtures', () => {
  it('parses Docker schema 2 and keeps bytes and digest', () => {
    const bytes = fixture('docker-schema2.json');
    const m = parseManifest(bytes, DOCKER_V2S2_MEDIA_TYPE);
    expect(m.kind).toBe('docker-schema2');
    if (m.kind !== 'docker-schema2') return;
    expect(m.bytes).toBe(bytes);
    expect(m.digest).toBe(sha256(bytes));
    expect(m.layers).toHaveLength(3);
    expect(m.layers[1]?.urls).toEqual(['https://example.invalid/layer1']);
    expect(m.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    expect(Object.isFrozen(m)).toBe(true);
    expect(Object.isFrozen(m.layers)).toBe(true);
  });

  it('parses an OCI manifest with annotations', () => {
    const m = parseManifest(fixture('oci-manifest.json'), OCI_MANIFEST_MEDIA_TYPE);
    expect(m.kind).toBe('oci-manifest');
    if (m.kind !== 'oci-manifest') return;
    expect(m.layers[0]?.annotations).toEqual({ 'org.example.a': '1' });
    expect(m.annotations).toEqual({ 'org.opencontainers.image.created': '2024-01-02T03:04:05Z' });
  });

  it('parses lists with platforms', () => {
    const list = parseManifest(fixture('docker-manifest-list.json'));
    expect(list.kind).toBe('docker-manifest-list');
    if (list.kind !== 'docker-manifest-list') return;
    expect(list.manifests[1]?.platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(list.manifests[4]?.platform?.osVersion).toBe('10.0.17763.1879');
    const index = parseManifest(fixture('oci-index.json'), OCI_INDEX_MEDIA_TYPE);
    expect(index.kind).toBe('oci-index');
    expect(index.mediaType).toBe(OCI_INDEX_MEDIA_TYPE);
  });

  it('parses unsigned and signed schema 1, collapsing nothing when IDs are distinct', () => {
    const unsigned = parseManifest(fixture('docker-schema1-unsigned.json'), DOCKER_V2S1_MEDIA_TYPE);
    expect(unsigned.kind).toBe('docker-schema1');
    expect(unsigned.mediaType).toBe(DOCKER_V2S1_MEDIA_TYPE);
    const signed = parseManifest(fixture('docker-schema1-signed.json'), DOCKER_V2S1_SIGNED_MEDIA_TYPE);
    expect(signed.mediaType).toBe(DOCKER_V2S1_SIGNED_MEDIA_TYPE);
    if (signed.kind !== 'docker-schema1') return;
    expect(signed.name).toBe('library/busybox');
    expect(signed.history[0]?.throwaway).toBe(true);
    expect(signed.history[1]?.cmd).toEqual(['/bin/sh', '-c', 'apk add curl']);
    // the signed manifest's digest is the unsigned payload's
    expect(signed.digest).toBe(sha256(fixture('docker-schema1-unsigned.json')));
  });

  it('collapses consecutive duplicate v1 IDs as containers/image does', () => {
    const doc = fixtureJson('docker-schema1-unsigned.json');
    const history = doc.history as { v1Compatibility: string }[];
    const fsLayers = doc.fsLayers as { blobSum: string }[];
    doc.history = [history[0], history[0], history[1], history[2]];
    doc.fsLayers = [fsLayers[0], fsLayers[0], fsLayers[1], fsLayers[2]];
    const m = parseDockerSchema1(jsonBytes(doc));
    expect(m.fsLayers).toHaveLength(3);
    expect(m.history).toHaveLength(3);
  });

  it('guesses the type when none or an uninformative one is declared', () => {
    expect(parseManifest(fixture('oci-index.json')).kind).toBe('oci-index');
    expect(parseManifest(fixture('docker-schema2.json'), 'application/json').kind).toBe('docker-schema2');
    expect(parseManifest(fixture('docker-schema1-signed.json'), 'text/plain').kind).toBe('docker-schema1');
  });

  it('accepts parameters on the declared type', () => {
    expect(parseManifest(fixture('docker-schema2.json'), `${DOCKER_V2S2_MEDIA_TYPE}; charset=utf-8`).kind).toBe(
      'docker-schema2',
    );
  });

  it('accepts an OCI manifest and index without mediaType (image-spec < 1.0.2)', () => {
    const doc = fixtureJson('oci-manifest.json');
    delete doc.mediaType;
    expect(parseManifest(jsonBytes(doc), OCI_MANIFEST_MEDIA_TYPE).kind).toBe('oci-manifest');
    // guessed from the config media type
    expect(parseManifest(jsonBytes(doc)).kind).toBe('oci-manifest');
    const index = fixtureJson('oci-index.json');
    delete index.mediaType;
    expect(parseManifest(jsonBytes(index)).kind).toBe('oci-index');
    // Docker formats require the field
    expect(() => parseManifest(jsonBytes(index), DOCKER_V2_LIST_MEDIA_TYPE)).toThrow(/mediaType: required/);
  });
});
