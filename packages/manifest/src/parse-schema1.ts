import { digestBytes } from '@ferry/blob';
import { type Digest, ImageError } from '@ferry/types';
import { checkUnambiguous } from './format-checks.ts';
import {
  asObject,
  checkSchemaVersion,
  invalid,
  type JsonObject,
  jsonType,
  optionalBoolean,
  optionalString,
  optionalStringArray,
  requiredArray,
  requiredDigest,
  requiredString,
} from './json-fields.ts';
import type { DockerSchema1Manifest, Schema1HistoryEntry } from './manifest-types.ts';
import { DOCKER_V2S1_MEDIA_TYPE, DOCKER_V2S1_SIGNED_MEDIA_TYPE } from './media-types.ts';
import { parseJsonObject } from './parse-json.ts';
import { schema1SignedPayload } from './schema1-payload.ts';

const V1_ID = /^[a-f0-9]{64}$/;

/**
 * Parses and validates a Docker schema 1 manifest, signed or not, as containers/image's `Schema1FromManifest`
 * does: `fsLayers` and `history` of equal, non-zero length; every `v1Compatibility` a JSON object with a
 * 64-hex `id`; the base layer without parent; each entry's `parent` the next entry's `id`; consecutive
 * duplicate IDs collapsed, others rejected. A `signatures` member makes it signed; its protected headers must
 * be well-formed, since the digest is computed over the signed payload.
 *
 * @throws {@link ImageError} `ERR_INVALID_MANIFEST`, `ERR_INVALID_DIGEST`, `ERR_UNSUPPORTED_MEDIA_TYPE` or
 * `ERR_TOO_LARGE`, naming the field.
 * @example
 * ```ts
 * const m = parseDockerSchema1(bytes);
 * console.log(m.name, m.tag, m.fsLayers.length);
 * ```
 */
export function parseDockerSchema1(bytes: Uint8Array): DockerSchema1Manifest {
  const root = parseJsonObject(bytes, DOCKER_V2S1_MEDIA_TYPE);
  checkSchemaVersion(root, 1);
  checkSchema1MediaTypeField(root);
  checkUnambiguous(root, DOCKER_V2S1_SIGNED_MEDIA_TYPE, ['fsLayers', 'history']);
  const name = optionalString(root, 'name', '') ?? '';
  const tag = optionalString(root, 'tag', '') ?? '';
  const architecture = optionalString(root, 'architecture', '') ?? '';
  const fsLayers = requiredArray(root, 'fsLayers', '').map((entry, i) =>
    requiredDigest(asObject(entry, `fsLayers[${i}]`), 'blobSum', `fsLayers[${i}]`),
  );
  const history = requiredArray(root, 'history', '').map((entry, i) => parseHistoryEntry(entry, `history[${i}]`));
  if (fsLayers.length !== history.length) {
    invalid('history', `has ${history.length} entries but fsLayers has ${fsLayers.length}`);
  }
  if (fsLayers.length === 0) invalid('fsLayers', 'a schema 1 manifest needs at least one layer');
  collapseDuplicates(fsLayers, history);
  const signed = root.signatures !== undefined && root.signatures !== null;
  const payload = signed ? schema1SignedPayload(bytes, root) : bytes;
  return Object.freeze({
    kind: 'docker-schema1',
    mediaType: signed ? DOCKER_V2S1_SIGNED_MEDIA_TYPE : DOCKER_V2S1_MEDIA_TYPE,
    bytes,
    digest: digestBytes(payload),
    name,
    tag,
    architecture,
    fsLayers: Object.freeze(fsLayers),
    history: Object.freeze(history),
  });
}

function checkSchema1MediaTypeField(root: JsonObject): void {
  const value = root.mediaType;
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') invalid('mediaType', `expected a string, got ${jsonType(value)}`);
  if (value !== DOCKER_V2S1_MEDIA_TYPE && value !== DOCKER_V2S1_SIGNED_MEDIA_TYPE) {
    throw new ImageError(
      'ERR_UNSUPPORTED_MEDIA_TYPE',
      `mediaType: the document says ${JSON.stringify(value)} but has schemaVersion 1`,
    );
  }
}

function parseHistoryEntry(value: unknown, path: string): Schema1HistoryEntry {
  const v1Compatibility = requiredString(asObject(value, path), 'v1Compatibility', path);
  const compatPath = `${path}.v1Compatibility`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v1Compatibility);
  } catch (cause) {
    invalid(compatPath, 'not valid JSON', cause);
  }
  const compat = asObject(parsed, compatPath);
  const id = requiredString(compat, 'id', compatPath);
  if (!V1_ID.test(id)) invalid(`${compatPath}.id`, `image ID ${JSON.stringify(id)} is not 64 lowercase hex digits`);
  const parent = optionalString(compat, 'parent', compatPath);
  const created = optionalString(compat, 'created', compatPath);
  const author = optionalString(compat, 'author', compatPath);
  const comment = optionalString(compat, 'comment', compatPath);
  const containerConfig = compat.container_config;
  let cmd: readonly string[] | undefined;
  if (containerConfig !== undefined && containerConfig !== null) {
    const ccPath = `${compatPath}.container_config`;
    cmd = optionalStringArray(asObject(containerConfig, ccPath), 'Cmd', ccPath);
  }
  const throwaway = optionalBoolean(compat, 'throwaway', compatPath) ?? false;
  return Object.freeze({
    v1Compatibility,
    id,
    throwaway,
    ...(parent === undefined || parent === '' ? {} : { parent }),
    ...(created === undefined ? {} : { created }),
    ...(author === undefined ? {} : { author }),
    ...(comment === undefined ? {} : { comment }),
    ...(cmd === undefined ? {} : { cmd }),
  });
}

/** containers/image's `fixManifestLayers`: mutates the two arrays, which are still private here. */
function collapseDuplicates(fsLayers: Digest[], history: Schema1HistoryEntry[]): void {
  const last = history[history.length - 1] as Schema1HistoryEntry;
  if (last.parent !== undefined)
    invalid(`history[${history.length - 1}].v1Compatibility.parent`, 'the base layer has a parent');
  const seen = new Set<string>();
  let previous = '';
  history.forEach((entry, i) => {
    if (entry.id !== previous && seen.has(entry.id)) {
      invalid(`history[${i}].v1Compatibility.id`, `ID ${entry.id} appears more than once, not consecutively`);
    }
    previous = entry.id;
    seen.add(entry.id);
  });
  for (let i = history.length - 2; i >= 0; i--) {
    const entry = history[i] as Schema1HistoryEntry;
    const next = history[i + 1] as Schema1HistoryEntry;
    if (entry.id === next.id) {
      fsLayers.splice(i, 1);
      history.splice(i, 1);
    } else if (entry.parent !== next.id) {
      invalid(`history[${i}].v1Compatibility.parent`, `expected ${next.id}, got ${JSON.stringify(entry.parent ?? '')}`);
    }
  }
}
