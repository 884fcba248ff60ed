import { digestBytes } from '@ferry/blob';
import { checkMediaTypeField, checkUnambiguous } from './format-checks.ts';
import { checkSchemaVersion, type JsonObject, requiredArray } from './json-fields.ts';
import type { DockerManifestList, ListEntry, OciIndex } from './manifest-types.ts';
import { DOCKER_V2_LIST_MEDIA_TYPE, OCI_INDEX_MEDIA_TYPE } from './media-types.ts';
import { readOciExtras } from './oci-extras.ts';
import { parseListEntry } from './parse-descriptor.ts';
import { parseJsonObject } from './parse-json.ts';

/**
 * Parses and validates a Docker manifest list (`mediaType` required).
 *
 * @throws {@link ImageError} `ERR_INVALID_MANIFEST`, `ERR_INVALID_DIGEST`, `ERR_UNSUPPORTED_MEDIA_TYPE` or
 * `ERR_TOO_LARGE`, naming the field.
 * @example
 * ```ts
 * const list = parseDockerManifestList(bytes);
 * console.log(list.manifests.map((m) => m.platform?.architecture));
 * ```
 */
export function parseDockerManifestList(bytes: Uint8Array): DockerManifestList {
  const root = parseJsonObject(bytes, DOCKER_V2_LIST_MEDIA_TYPE);
  checkSchemaVersion(root, 2);
  checkMediaTypeField(root, DOCKER_V2_LIST_MEDIA_TYPE, true);
  checkUnambiguous(root, DOCKER_V2_LIST_MEDIA_TYPE, ['manifests']);
  return Object.freeze({
    kind: 'docker-manifest-list',
    mediaType: DOCKER_V2_LIST_MEDIA_TYPE,
    bytes,
    digest: digestBytes(bytes),
    manifests: readEntries(root),
  });
}

/**
 * Parses and validates an OCI image index (`mediaType` optional, as before image-spec 1.0.2).
 *
 * @throws {@link ImageError} `ERR_INVALID_MANIFEST`, `ERR_INVALID_DIGEST`, `ERR_UNSUPPORTED_MEDIA_TYPE` or
 * `ERR_TOO_LARGE`, naming the field.
 * @example
 * ```ts
 * const index = parseOciIndex(bytes);
 * console.log(index.manifests.length);
 * ```
 */
export function parseOciIndex(bytes: Uint8Array): OciIndex {
  const root = parseJsonObject(bytes, OCI_INDEX_MEDIA_TYPE);
  checkSchemaVersion(root, 2);
  checkMediaTypeField(root, OCI_INDEX_MEDIA_TYPE, false);
  checkUnambiguous(root, OCI_INDEX_MEDIA_TYPE, ['manifests']);
  const manifests = readEntries(root);
  return Object.freeze({
    kind: 'oci-index',
    mediaType: OCI_INDEX_MEDIA_TYPE,
    bytes,
    digest: digestBytes(bytes),
    manifests,
    ...readOciExtras(root),
  });
}

function readEntries(root: JsonObject): readonly ListEntry[] {
  return Object.freeze(
    requiredArray(root, 'manifests', '').map((entry, i) => parseListEntry(entry, `manifests[${i}]`)),
  );
}
