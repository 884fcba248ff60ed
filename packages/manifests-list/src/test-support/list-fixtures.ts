import type { Digest } from '@ferry/types';

/** A fake digest made of one repeated hex character. */
export function fakeDigest(c: string): Digest {
  return `sha256:${c.repeat(64)}` as Digest;
}

const V2S2 = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** A Docker manifest list as Go's encoding/json writes it (containers/image's Schema2List). */
export const DOCKER_LIST_TEXT: string =
  '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[' +
  `{"mediaType":"${V2S2}","size":528,"digest":"${fakeDigest('a')}","platform":{"architecture":"amd64","os":"linux"}},` +
  `{"mediaType":"${V2S2}","size":529,"digest":"${fakeDigest('b')}","platform":{"architecture":"arm","os":"linux","variant":"v7","features":["sse4"]}},` +
  `{"mediaType":"${V2S2}","size":530,"digest":"${fakeDigest('c')}","urls":["https://mirror.example/m"],"platform":{"architecture":"amd64","os":"windows","os.version":"10.0.17763.1879","os.features":["win32k"]}}` +
  ']}';

/** {@link DOCKER_LIST_TEXT} as an OCI index (features dropped), as Go writes image-spec's Index. */
export const DOCKER_LIST_AS_OCI_TEXT: string =
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[' +
  `{"mediaType":"${V2S2}","digest":"${fakeDigest('a')}","size":528,"platform":{"architecture":"amd64","os":"linux"}},` +
  `{"mediaType":"${V2S2}","digest":"${fakeDigest('b')}","size":529,"platform":{"architecture":"arm","os":"linux","variant":"v7"}},` +
  `{"mediaType":"${V2S2}","digest":"${fakeDigest('c')}","size":530,"urls":["https://mirror.example/m"],"platform":{"architecture":"amd64","os":"windows","os.version":"10.0.17763.1879","os.features":["win32k"]}}` +
  ']}';

/** An OCI index with every member the value models, as Go writes it (maps sorted, `&<>` escaped). */
export const OCI_INDEX_TEXT: string =
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"application/vnd.example.bundle","manifests":[' +
  `{"mediaType":"${OCI_MANIFEST}","digest":"${fakeDigest('a')}","size":528,"annotations":{"a.b":"1","org.x":"\\u0026\\u003c\\u003e"},"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},` +
  `{"mediaType":"${OCI_MANIFEST}","digest":"${fakeDigest('d')}","size":700,"artifactType":"application/vnd.example.sbom"}` +
  `],"subject":{"mediaType":"${OCI_MANIFEST}","digest":"${fakeDigest('e')}","size":99},` +
  '"annotations":{"org.opencontainers.image.created":"2024-01-01T00:00:00Z","z":"last"}}';

/** An OCI index a Docker list can hold, and that list as Go writes it. */
export const PLAIN_OCI_INDEX_TEXT: string =
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[' +
  `{"mediaType":"${OCI_MANIFEST}","digest":"${fakeDigest('a')}","size":528,"platform":{"architecture":"amd64","os":"linux"}},` +
  `{"mediaType":"${OCI_MANIFEST}","digest":"${fakeDigest('b')}","size":529,"platform":{"architecture":"s390x","os":"linux"}}` +
  ']}';

/** {@link PLAIN_OCI_INDEX_TEXT} as a Docker manifest list. */
export const PLAIN_AS_DOCKER_TEXT: string =
  '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[' +
  `{"mediaType":"${OCI_MANIFEST}","size":528,"digest":"${fakeDigest('a')}","platform":{"architecture":"amd64","os":"linux"}},` +
  `{"mediaType":"${OCI_MANIFEST}","size":529,"digest":"${fakeDigest('b')}","platform":{"architecture":"s390x","os":"linux"}}` +
  ']}';
