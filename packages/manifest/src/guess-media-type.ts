import { isJsonObject } from './json-fields.ts';
import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S2_CONFIG_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  type ManifestMediaType,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from './media-types.ts';
import { tryParseJsonObject } from './parse-json.ts';

/**
 * Guesses a manifest's media type from its content, as containers/image's `GuessMIMEType` does: a recognized
 * `mediaType` field wins; `schemaVersion: 1` means schema 1 (signed when `signatures` is present); with
 * `schemaVersion: 2` the config media type, then a non-empty `manifests`, decide. Returns `''` when the content
 * is not recognized. (Unlike Go's decoder, field names are matched case-sensitively.)
 *
 * Only guess when no out-of-band media type is known; a declared type is more reliable.
 *
 * @example
 * ```ts
 * guessMediaType(new TextEncoder().encode('{"schemaVersion":1,"fsLayers":[]}'));
 * // 'application/vnd.docker.distribution.manifest.v1+json'
 * ```
 */
export function guessMediaType(bytes: Uint8Array): ManifestMediaType | '' {
  const root = tryParseJsonObject(bytes);
  if (root === undefined) return '';
  const { mediaType, schemaVersion, signatures } = root;
  if (mediaType !== undefined && mediaType !== null && typeof mediaType !== 'string') return '';
  if (schemaVersion !== undefined && schemaVersion !== null && !Number.isSafeInteger(schemaVersion)) return '';
  switch (mediaType) {
    case DOCKER_V2S2_MEDIA_TYPE:
    case DOCKER_V2_LIST_MEDIA_TYPE:
    case OCI_MANIFEST_MEDIA_TYPE:
    case OCI_INDEX_MEDIA_TYPE:
      return mediaType;
  }
  if (schemaVersion === 1) {
    // recognizing signed schema 1 is what makes stripping the signature, and so the digest, right
    return signatures !== undefined && signatures !== null ? DOCKER_V2S1_SIGNED_MEDIA_TYPE : DOCKER_V2S1_MEDIA_TYPE;
  }
  if (schemaVersion !== 2) return '';
  return guessSchemaVersion2(root.config, root.manifests);
}

function guessSchemaVersion2(config: unknown, manifests: unknown): ManifestMediaType | '' {
  let configMediaType = '';
  if (config !== undefined && config !== null) {
    if (!isJsonObject(config)) return '';
    const mt = config.mediaType;
    if (mt !== undefined && mt !== null && typeof mt !== 'string') return '';
    configMediaType = mt ?? '';
  }
  if (configMediaType === OCI_CONFIG_MEDIA_TYPE) return OCI_MANIFEST_MEDIA_TYPE;
  if (configMediaType === DOCKER_V2S2_CONFIG_MEDIA_TYPE) return DOCKER_V2S2_MEDIA_TYPE;
  if (manifests !== undefined && manifests !== null) {
    if (!Array.isArray(manifests)) return '';
    // containers/image would return the config media type here; that is no manifest type, so call it unknown
    if (manifests.length !== 0) return configMediaType === '' ? OCI_INDEX_MEDIA_TYPE : '';
  }
  // most likely an OCI artifact with a custom config media type
  return OCI_MANIFEST_MEDIA_TYPE;
}
