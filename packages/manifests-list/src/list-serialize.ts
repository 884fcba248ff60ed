import { digestBytes } from '@ferry/blob';
import {
  type Descriptor,
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from '@ferry/manifest';
import { type Digest, ImageError } from '@ferry/types';
import { type GoJsonValue, goJsonText } from './go-json-text.ts';
import type { ListState } from './list-parse.ts';
import type { ListFormat, ListInstance, ListPlatform } from './list-types.ts';

/** A serialized list: its bytes, media type and digest (sha256 of the bytes). */
export interface SerializedList {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
  readonly digest: Digest;
}

// what a Docker manifest list may point at
const DOCKER_LIST_INSTANCE_TYPES: readonly string[] = [
  DOCKER_V2S2_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
];

/**
 * Writes `state` as an OCI index (`oci`) or a Docker manifest list (`v2s2`), in the field order and compact
 * form Go's `encoding/json` gives containers/image's and image-spec's structs, so equal values always give
 * equal digests. An OCI index leaves out platform `features` (reserved by the OCI format).
 *
 * @throws {@link ImageError} `ERR_MANIFEST_CONVERSION` for `v2s2` when the list holds what a Docker list
 * cannot (see {@link dockerListRefusal}).
 */
export function serializeList(state: ListState, format: ListFormat): SerializedList {
  const mediaType = format === 'oci' ? OCI_INDEX_MEDIA_TYPE : DOCKER_V2_LIST_MEDIA_TYPE;
  let doc: GoJsonValue;
  if (format === 'oci') {
    doc = ociIndexDocument(state);
  } else {
    const refusal = dockerListRefusal(state);
    if (refusal !== undefined) {
      throw new ImageError('ERR_MANIFEST_CONVERSION', `cannot write a Docker manifest list: ${refusal}`);
    }
    doc = dockerListDocument(state);
  }
  const bytes = new TextEncoder().encode(goJsonText(doc));
  return { bytes, mediaType, digest: digestBytes(bytes) };
}

/** Why `state` cannot be a Docker manifest list, naming the field (and the instance); `undefined` if it can. */
export function dockerListRefusal(state: ListState): string | undefined {
  if (Object.keys(state.annotations).length > 0) return 'the list has annotations (an OCI index field)';
  if (state.subject !== undefined) return 'the list has a subject (an OCI index field)';
  if (state.artifactType !== undefined) return 'the list has an artifactType (an OCI index field)';
  for (const i of state.instances) {
    const which = `instance ${i.digest}`;
    if (i.annotations !== undefined) return `${which} has annotations (an OCI index field)`;
    if (i.artifactType !== undefined) return `${which} has an artifactType (an OCI index field)`;
    if (!DOCKER_LIST_INSTANCE_TYPES.includes(i.mediaType)) {
      return `${which} has media type ${i.mediaType}, which a Docker list cannot point at`;
    }
    if (i.platform === undefined) return `${which} has no platform, which a Docker list requires`;
  }
  return undefined;
}

function ociIndexDocument(state: ListState): GoJsonValue {
  return {
    schemaVersion: 2,
    mediaType: OCI_INDEX_MEDIA_TYPE,
    artifactType: state.artifactType,
    manifests: state.instances.map(ociEntry),
    subject: state.subject === undefined ? undefined : ociDescriptor(state.subject),
    annotations: goMap(state.annotations),
  };
}

function ociEntry(i: ListInstance): GoJsonValue {
  return {
    mediaType: i.mediaType,
    digest: i.digest,
    size: i.size,
    urls: nonEmptyList(i.urls),
    annotations: goMap(i.annotations),
    platform: i.platform === undefined ? undefined : ociPlatform(i.platform),
    artifactType: i.artifactType,
  };
}

function ociDescriptor(d: Descriptor): GoJsonValue {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    urls: nonEmptyList(d.urls),
    annotations: goMap(d.annotations),
    data: d.data === '' ? undefined : d.data,
    artifactType: d.artifactType === '' ? undefined : d.artifactType,
  };
}

function ociPlatform(p: ListPlatform): GoJsonValue {
  return {
    architecture: p.architecture,
    os: p.os,
    'os.version': p.osVersion === '' ? undefined : p.osVersion,
    'os.features': nonEmptyList(p.osFeatures),
    variant: p.variant === '' ? undefined : p.variant,
  };
}

function dockerListDocument(state: ListState): GoJsonValue {
  return {
    schemaVersion: 2,
    mediaType: DOCKER_V2_LIST_MEDIA_TYPE,
    manifests: state.instances.map((i) => ({
      mediaType: i.mediaType,
      size: i.size,
      digest: i.digest,
      urls: nonEmptyList(i.urls),
      // dockerListRefusal made sure every instance has one
      platform: dockerPlatform(i.platform as ListPlatform),
    })),
  };
}

function dockerPlatform(p: ListPlatform): GoJsonValue {
  return {
    architecture: p.architecture,
    os: p.os,
    'os.version': p.osVersion === '' ? undefined : p.osVersion,
    'os.features': nonEmptyList(p.osFeatures),
    variant: p.variant === '' ? undefined : p.variant,
    features: nonEmptyList(p.features),
  };
}

function nonEmptyList(list: readonly string[] | undefined): readonly string[] | undefined {
  return list === undefined || list.length === 0 ? undefined : list;
}

function goMap(map: Readonly<Record<string, string>> | undefined): ReadonlyMap<string, string> | undefined {
  return map === undefined || Object.keys(map).length === 0 ? undefined : new Map(Object.entries(map));
}
