import { describe, expect, it } from 'vitest';
import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  guessMediaType,
  normalizeMediaType,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from './index.ts';
import { fixture, jsonBytes } from './test-support/fixtures.ts';

describe('guessMediaType', () => {
  it('recognizes every fixture', () => {
    expect(guessMediaType(fixture('docker-schema2.json'))).toBe(DOCKER_V2S2_MEDIA_TYPE);
    expect(guessMediaType(fixture('oci-manifest.json'))).toBe(OCI_MANIFEST_MEDIA_TYPE);
    expect(guessMediaType(fixture('docker-manifest-list.json'))).toBe(DOCKER_V2_LIST_MEDIA_TYPE);
    expect(guessMediaType(fixture('oci-index.json'))).toBe(OCI_INDEX_MEDIA_TYPE);
    expect(guessMediaType(fixture('docker-schema1-unsigned.json'))).toBe(DOCKER_V2S1_MEDIA_TYPE);
    expect(guessMediaType(fixture('docker-schema1-signed.json'))).toBe(DOCKER_V2S1_SIGNED_MEDIA_TYPE);
  });

  it('follows GuessMIMEType for documents without mediaType', () => {
    const config = (mediaType: string) => ({ mediaType, size: 1, digest: 'x' });
    expect(
      guessMediaType(jsonBytes({ schemaVersion: 2, config: config('application/vnd.oci.image.config.v1+json') })),
    ).toBe(OCI_MANIFEST_MEDIA_TYPE);
    expect(
      guessMediaType(jsonBytes({ schemaVersion: 2, config: config('application/vnd.docker.container.image.v1+json') })),
    ).toBe(DOCKER_V2S2_MEDIA_TYPE);
    expect(guessMediaType(jsonBytes({ schemaVersion: 2, manifests: [{}] }))).toBe(OCI_INDEX_MEDIA_TYPE);
    // an artifact with a custom config type
    expect(guessMediaType(jsonBytes({ schemaVersion: 2, config: config('application/x-custom') }))).toBe(
      OCI_MANIFEST_MEDIA_TYPE,
    );
    expect(guessMediaType(jsonBytes({ schemaVersion: 2, manifests: [] }))).toBe(OCI_MANIFEST_MEDIA_TYPE);
  });

  it('returns an empty string for what it cannot recognize', () => {
    for (const doc of [{}, { schemaVersion: 3 }, { schemaVersion: 1.5 }, { mediaType: 5, schemaVersion: 2 }, []]) {
      expect(guessMediaType(jsonBytes(doc))).toBe('');
    }
    expect(guessMediaType(new TextEncoder().encode('not json'))).toBe('');
  });
});

describe('normalizeMediaType', () => {
  it('keeps known types and maps the rest to signed schema 1', () => {
    expect(normalizeMediaType(OCI_INDEX_MEDIA_TYPE)).toBe(OCI_INDEX_MEDIA_TYPE);
    expect(normalizeMediaType(`${DOCKER_V2S2_MEDIA_TYPE}; charset=utf-8`)).toBe(DOCKER_V2S2_MEDIA_TYPE);
    expect(normalizeMediaType('application/json')).toBe(DOCKER_V2S1_SIGNED_MEDIA_TYPE);
    expect(normalizeMediaType('text/plain')).toBe(DOCKER_V2S1_SIGNED_MEDIA_TYPE);
  });
});
