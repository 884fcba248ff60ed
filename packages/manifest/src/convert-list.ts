import type { DockerManifestList, ListEntry, OciIndex } from './manifest-types.ts';
import { DOCKER_V2_LIST_MEDIA_TYPE, OCI_INDEX_MEDIA_TYPE } from './media-types.ts';
import { parseDockerManifestList, parseOciIndex } from './parse-list.ts';

function entry(e: ListEntry, keepAnnotations: boolean): Record<string, unknown> {
  const platform =
    e.platform === undefined
      ? undefined
      : {
          architecture: e.platform.architecture,
          os: e.platform.os,
          ...(e.platform.osVersion === undefined ? {} : { 'os.version': e.platform.osVersion }),
          ...(e.platform.osFeatures === undefined ? {} : { 'os.features': e.platform.osFeatures }),
          ...(e.platform.variant === undefined ? {} : { variant: e.platform.variant }),
        };
  return {
    mediaType: e.mediaType,
    size: e.size,
    digest: e.digest,
    ...(e.urls === undefined ? {} : { urls: e.urls }),
    ...(keepAnnotations && e.annotations !== undefined ? { annotations: e.annotations } : {}),
    ...(platform === undefined ? {} : { platform }),
  };
}

/**
 * Converts a Docker manifest list to an OCI index. Entries keep their media types: converting the instances
 * themselves is a separate step, after which the caller edits the entries.
 */
export function dockerListToOciIndex(list: DockerManifestList): OciIndex {
  const doc = {
    schemaVersion: 2,
    mediaType: OCI_INDEX_MEDIA_TYPE,
    manifests: list.manifests.map((e) => entry(e, true)),
  };
  return parseOciIndex(new TextEncoder().encode(JSON.stringify(doc)));
}

/**
 * Converts an OCI index to a Docker manifest list. OCI-only members (annotations, `subject`, `artifactType`)
 * are dropped; entries keep their media types.
 */
export function ociIndexToDockerList(index: OciIndex): DockerManifestList {
  const doc = {
    schemaVersion: 2,
    mediaType: DOCKER_V2_LIST_MEDIA_TYPE,
    manifests: index.manifests.map((e) => entry(e, false)),
  };
  return parseDockerManifestList(new TextEncoder().encode(JSON.stringify(doc)));
}
