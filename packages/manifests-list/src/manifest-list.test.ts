import { digestBytes } from '@ferry/blob';
import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from '@ferry/manifest';
import { type ImageError, isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import type { ListInstance } from './list-types.ts';
import { ManifestList } from './manifest-list.ts';
import {
  DOCKER_LIST_AS_OCI_TEXT,
  DOCKER_LIST_TEXT,
  fakeDigest,
  OCI_INDEX_TEXT,
  PLAIN_AS_DOCKER_TEXT,
  PLAIN_OCI_INDEX_TEXT,
} from './test-support/list-fixtures.ts';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function thrown(f: () => unknown): ImageError {
  try {
    f();
  } catch (error) {
    if (isImageError(error)) return error;
    throw error;
  }
  throw new Error('expected an ImageError');
}

function image(c: string, os: string, architecture: string, variant?: string): ListInstance {
  return {
    digest: fakeDigest(c),
    size: 500,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    platform: { os, architecture, ...(variant === undefined ? {} : { variant }) },
  };
}

describe('ManifestList.parse and serialize', () => {
  it('round-trips a Docker manifest list byte for byte, features and urls included', () => {
    const list = ManifestList.parse(enc(DOCKER_LIST_TEXT), DOCKER_V2_LIST_MEDIA_TYPE);
    expect(list.mediaType).toBe(DOCKER_V2_LIST_MEDIA_TYPE);
    expect(list.instances[1]?.platform).toEqual({
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
      features: ['sse4'],
    });
    expect(list.instances[2]).toEqual({
      digest: fakeDigest('c'),
      size: 530,
      mediaType: DOCKER_V2S2_MEDIA_TYPE,
      urls: ['https://mirror.example/m'],
      platform: { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.1879', osFeatures: ['win32k'] },
    });
    const out = list.serialize('v2s2');
    expect(dec(out.bytes)).toBe(DOCKER_LIST_TEXT);
    expect(out.mediaType).toBe(DOCKER_V2_LIST_MEDIA_TYPE);
    expect(out.digest).toBe(digestBytes(enc(DOCKER_LIST_TEXT)));
  });

  it('round-trips an OCI index byte for byte, with annotations, artifact types and subject', () => {
    const list = ManifestList.parse(enc(OCI_INDEX_TEXT));
    expect(list.mediaType).toBe(OCI_INDEX_MEDIA_TYPE);
    expect(list.artifactType).toBe('application/vnd.example.bundle');
    expect(list.subject).toEqual({ mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: fakeDigest('e'), size: 99 });
    expect(list.annotations).toEqual({ 'org.opencontainers.image.created': '2024-01-01T00:00:00Z', z: 'last' });
    expect(list.instances[0]?.annotations).toEqual({ 'a.b': '1', 'org.x': '&<>' });
    expect(list.instances[1]).toEqual({
      digest: fakeDigest('d'),
      size: 700,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      artifactType: 'application/vnd.example.sbom',
    });
    const out = list.serialize('oci');
    expect(dec(out.bytes)).toBe(OCI_INDEX_TEXT);
    expect(out.digest).toBe(digestBytes(enc(OCI_INDEX_TEXT)));
  });

  it('writes the fields of a reordered, spaced input in canonical order and form', () => {
    const spaced = JSON.stringify(JSON.parse(PLAIN_OCI_INDEX_TEXT), null, 2);
    const reordered = JSON.stringify({ manifests: JSON.parse(PLAIN_OCI_INDEX_TEXT).manifests, schemaVersion: 2 });
    expect(dec(ManifestList.parse(enc(spaced)).serialize('oci').bytes)).toBe(PLAIN_OCI_INDEX_TEXT);
    expect(dec(ManifestList.parse(enc(reordered), OCI_INDEX_MEDIA_TYPE).serialize('oci').bytes)).toBe(
      PLAIN_OCI_INDEX_TEXT,
    );
  });

  it('converts a Docker list to an OCI index and back', () => {
    const docker = ManifestList.parse(enc(DOCKER_LIST_TEXT));
    const oci = docker.serialize('oci');
    expect(dec(oci.bytes)).toBe(DOCKER_LIST_AS_OCI_TEXT);
    expect(oci.mediaType).toBe(OCI_INDEX_MEDIA_TYPE);
    // features are Docker-only: the OCI index does not carry them
    const back = ManifestList.parse(oci.bytes, oci.mediaType).serialize('v2s2');
    expect(dec(back.bytes)).toBe(DOCKER_LIST_TEXT.replace(',"features":["sse4"]', ''));
  });

  it('converts an OCI index to a Docker list and back', () => {
    const list = ManifestList.parse(enc(PLAIN_OCI_INDEX_TEXT));
    expect(dec(list.serialize('v2s2').bytes)).toBe(PLAIN_AS_DOCKER_TEXT);
    expect(dec(ManifestList.parse(enc(PLAIN_AS_DOCKER_TEXT)).serialize('oci').bytes)).toBe(PLAIN_OCI_INDEX_TEXT);
  });

  it('writes an empty list in both formats', () => {
    const empty = ManifestList.empty();
    expect(empty.mediaType).toBe(OCI_INDEX_MEDIA_TYPE);
    expect(dec(empty.serialize('oci').bytes)).toBe(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
    );
    expect(dec(empty.serialize('v2s2').bytes)).toBe(
      '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}',
    );
  });

  it('refuses a single-image manifest and invalid documents', () => {
    const manifest = enc(
      `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST_MEDIA_TYPE}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"${fakeDigest('a')}","size":2},"layers":[]}`,
    );
    expect(thrown(() => ManifestList.parse(manifest)).code).toBe('ERR_INVALID_MANIFEST');
    expect(thrown(() => ManifestList.parse(enc('{"schemaVersion":2,"manifests":{}}'), OCI_INDEX_MEDIA_TYPE)).code).toBe(
      'ERR_INVALID_MANIFEST',
    );
    expect(thrown(() => ManifestList.parse(enc('[]'), OCI_INDEX_MEDIA_TYPE)).code).toBe('ERR_INVALID_MANIFEST');
  });
});

describe("serialize('v2s2') refusals", () => {
  const base = ManifestList.empty().add(image('a', 'linux', 'amd64'));
  const cases: [string, ManifestList, string][] = [
    ['list annotations', base.annotateList({ annotations: { k: 'v' } }), 'the list has annotations'],
    [
      'a subject',
      base.annotateList({ subject: { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: fakeDigest('e'), size: 9 } }),
      'the list has a subject',
    ],
    ['a list artifactType', base.annotateList({ artifactType: 'application/x.t' }), 'the list has an artifactType'],
    [
      'instance annotations',
      base.annotate(fakeDigest('a'), { annotations: { k: 'v' } }),
      `instance ${fakeDigest('a')} has annotations`,
    ],
    [
      'an instance artifactType',
      base.annotate(fakeDigest('a'), { artifactType: 'application/x.t' }),
      `instance ${fakeDigest('a')} has an artifactType`,
    ],
    [
      'a nested index',
      base.add({ digest: fakeDigest('f'), size: 9, mediaType: OCI_INDEX_MEDIA_TYPE }),
      `instance ${fakeDigest('f')} has media type ${OCI_INDEX_MEDIA_TYPE}`,
    ],
    [
      'an instance without platform',
      base.add({ digest: fakeDigest('f'), size: 9, mediaType: OCI_MANIFEST_MEDIA_TYPE }),
      `instance ${fakeDigest('f')} has no platform`,
    ],
  ];
  it.each(cases)('refuses %s with ERR_MANIFEST_CONVERSION naming it', (_what, list, message) => {
    const err = thrown(() => list.serialize('v2s2'));
    expect(err.code).toBe('ERR_MANIFEST_CONVERSION');
    expect(err.message).toContain(message);
    // the OCI index holds it all
    expect(ManifestList.parse(list.serialize('oci').bytes).serialize('oci').digest).toBe(list.serialize('oci').digest);
  });

  it('lets a parsed Docker list carry OCI-only members, refusing only the Docker form', () => {
    const docker = ManifestList.parse(enc(DOCKER_LIST_TEXT)).annotate(fakeDigest('a'), { annotations: { k: 'v' } });
    expect(docker.mediaType).toBe(DOCKER_V2_LIST_MEDIA_TYPE);
    expect(thrown(() => docker.serialize('v2s2')).code).toBe('ERR_MANIFEST_CONVERSION');
    expect(ManifestList.parse(docker.serialize('oci').bytes).instances[0]?.annotations).toEqual({ k: 'v' });
  });
});
