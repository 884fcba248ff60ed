import { describe, expect, it } from 'vitest';
import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  parseManifest,
} from './index.ts';
import { type Case, expectRejected, index, list, oci, s1, s2, text, withLayer } from './test-support/bad-docs.ts';
import { jsonBytes } from './test-support/fixtures.ts';

const CASES: readonly Case[] = [
  // syntax and size
  ['truncated JSON', text('{"schemaVersion": 2,'), OCI_MANIFEST_MEDIA_TYPE, 'ERR_INVALID_MANIFEST', /not valid JSON/],
  ['a JSON array', text('[]'), undefined, 'ERR_INVALID_MANIFEST', /expected a JSON object, got array/],
  ['JSON null', text('null'), OCI_INDEX_MEDIA_TYPE, 'ERR_INVALID_MANIFEST', /got null/],
  ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), undefined, 'ERR_INVALID_MANIFEST', /UTF-8/],
  ['a byte-order mark', text('\ufeff{}'), undefined, 'ERR_INVALID_MANIFEST', /not valid JSON/],
  ['empty input', new Uint8Array(), undefined, 'ERR_INVALID_MANIFEST', /not valid JSON/],
  // media types
  [
    'unknown declared type',
    s2(),
    'application/vnd.example+json',
    'ERR_UNSUPPORTED_MEDIA_TYPE',
    /unsupported manifest media type/,
  ],
  ['unrecognizable content', { schemaVersion: 3 }, undefined, 'ERR_UNSUPPORTED_MEDIA_TYPE', /cannot tell/],
  [
    'schema2 field says OCI',
    { ...s2(), mediaType: OCI_MANIFEST_MEDIA_TYPE },
    DOCKER_V2S2_MEDIA_TYPE,
    'ERR_UNSUPPORTED_MEDIA_TYPE',
    /^mediaType: the document says/,
  ],
  ['OCI declared, schema2 content', s2(), OCI_MANIFEST_MEDIA_TYPE, 'ERR_UNSUPPORTED_MEDIA_TYPE', /^mediaType:/],
  ['index declared, list content', list(), OCI_INDEX_MEDIA_TYPE, 'ERR_UNSUPPORTED_MEDIA_TYPE', /^mediaType:/],
  [
    'unknown mediaType field, guessed',
    { ...oci(), mediaType: 'application/x-foo' },
    undefined,
    'ERR_UNSUPPORTED_MEDIA_TYPE',
    /x-foo/,
  ],
  [
    'mediaType not a string',
    { ...oci(), mediaType: 7 },
    OCI_MANIFEST_MEDIA_TYPE,
    'ERR_INVALID_MANIFEST',
    /^mediaType: expected a string/,
  ],
  [
    'schema2 without mediaType',
    (({ mediaType: _, ...d }) => d)(s2()),
    DOCKER_V2S2_MEDIA_TYPE,
    'ERR_INVALID_MANIFEST',
    /^mediaType: required/,
  ],
  [
    'schema2 with an OCI layer type',
    withLayer(s2(), 0, { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }),
    undefined,
    'ERR_UNSUPPORTED_MEDIA_TYPE',
    /^layers\[0\]\.mediaType/,
  ],
  [
    'schema1 with a schema2 mediaType',
    { ...s1(), mediaType: DOCKER_V2S2_MEDIA_TYPE },
    DOCKER_V2S1_MEDIA_TYPE,
    'ERR_UNSUPPORTED_MEDIA_TYPE',
    /schemaVersion 1/,
  ],
  // schemaVersion
  [
    'schemaVersion missing',
    (({ schemaVersion: _, ...d }) => d)(oci()),
    OCI_MANIFEST_MEDIA_TYPE,
    'ERR_INVALID_MANIFEST',
    /^schemaVersion/,
  ],
  [
    'schemaVersion 1 declared OCI',
    { ...oci(), schemaVersion: 1 },
    OCI_MANIFEST_MEDIA_TYPE,
    'ERR_INVALID_MANIFEST',
    /^schemaVersion: expected 2, got 1/,
  ],
  [
    'schemaVersion as string',
    { ...s2(), schemaVersion: '2' },
    DOCKER_V2S2_MEDIA_TYPE,
    'ERR_INVALID_MANIFEST',
    /^schemaVersion/,
  ],
  ['schema1 declared, version 2', s2(), DOCKER_V2S1_MEDIA_TYPE, 'ERR_INVALID_MANIFEST', /^schemaVersion: expected 1/],
  // ambiguity
  [
    'OCI manifest with manifests',
    { ...oci(), manifests: [] },
    OCI_MANIFEST_MEDIA_TYPE,
    'ERR_INVALID_MANIFEST',
    /^manifests: rejecting ambiguous/,
  ],
  [
    'index with layers',
    { ...index(), layers: [] },
    OCI_INDEX_MEDIA_TYPE,
    'ERR_INVALID_MANIFEST',
    /^layers: rejecting ambiguous/,
  ],
  ['index with config', { ...index(), config: {} }, undefined, 'ERR_INVALID_MANIFEST', /^config: rejecting ambiguous/],
  ['list with fsLayers', { ...list(), fsLayers: [] }, DOCKER_V2_LIST_MEDIA_TYPE, 'ERR_INVALID_MANIFEST', /^fsLayers/],
  [
    'schema2 with schema1 fields',
    { ...s2(), fsLayers: [], history: [] },
    undefined,
    'ERR_INVALID_MANIFEST',
    /^fsLayers, history: rejecting/,
  ],
  ['schema1 with layers', { ...s1(), layers: [] }, undefined, 'ERR_INVALID_MANIFEST', /^layers: rejecting/],
];

describe('bad input: syntax, media types, versions, ambiguity', () => {
  it.each(CASES)('%s', (_name, doc, mediaType, code, message) => {
    expectRejected(doc, mediaType, code, message);
  });
});

describe('bad input: size', () => {
  it('refuses documents over 4 MiB with ERR_TOO_LARGE, before parsing', () => {
    const big = jsonBytes({ ...oci(), annotations: { pad: 'x'.repeat(4 * 1024 * 1024) } });
    expect(() => parseManifest(big, OCI_MANIFEST_MEDIA_TYPE)).toThrow(
      expect.objectContaining({ code: 'ERR_TOO_LARGE' }),
    );
    const garbage = new Uint8Array(4 * 1024 * 1024 + 1);
    expect(() => parseManifest(garbage)).toThrow(expect.objectContaining({ code: 'ERR_TOO_LARGE' }));
  });

  it('accepts a document of exactly 4 MiB', () => {
    const base = jsonBytes({ ...oci(), annotations: { pad: '' } });
    const exact = jsonBytes({ ...oci(), annotations: { pad: 'x'.repeat(4 * 1024 * 1024 - base.byteLength) } });
    expect(exact.byteLength).toBe(4 * 1024 * 1024);
    expect(parseManifest(exact).kind).toBe('oci-manifest');
  });
});
