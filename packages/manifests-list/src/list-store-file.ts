import { digestBytes } from '@ferry/blob';
import { type Digest, ImageError, isImageError, parseDigest } from '@ferry/types';
import type { StoredList } from './list-store.ts';
import { ManifestList } from './manifest-list.ts';

/**
 * The version of the stored-list file format this code writes and reads. A file of another version is
 * refused (`ERR_INVALID_IMAGE`) rather than guessed at.
 */
export const LIST_FILE_VERSION = 1;

// The file is one JSON object, replaced atomically as a whole:
//   { "version": 1, "name": "<the list's name>",
//     "list": { "mediaType": "...", "digest": "sha256:...", "data": "<base64 of the serialized list>" },
//     "origins": { "<instance digest>": "<transport:reference it was added from>" } }
// The list is kept as its exact bytes in its own format (Docker list or OCI index), with their digest, so a
// stored list keeps its digest and a damaged file is caught rather than loaded.

/**
 * The bytes of the file holding `stored`: the list serialized in its own format (a Docker list whose
 * content a Docker list cannot hold is kept as an OCI index).
 *
 * @example
 * ```ts
 * await writeBytesAtomic(path, encodeListFile(stored), { signal });
 * ```
 */
export function encodeListFile(stored: StoredList): Uint8Array {
  const { bytes, mediaType, digest } = serializeOwnFormat(stored.list);
  const file = {
    version: LIST_FILE_VERSION,
    name: stored.name,
    list: { mediaType, digest, data: Buffer.from(bytes).toString('base64') },
    origins: Object.fromEntries(stored.origins),
  };
  return new TextEncoder().encode(`${JSON.stringify(file, null, 2)}\n`);
}

function serializeOwnFormat(list: ManifestList): ReturnType<ManifestList['serialize']> {
  const own = list.format;
  try {
    return list.serialize(own);
  } catch (error) {
    if (own === 'v2s2' && isImageError(error, 'ERR_MANIFEST_CONVERSION')) return list.serialize('oci');
    throw error;
  }
}

/**
 * Reads the file `path` made by {@link encodeListFile}.
 *
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` naming `path` and what is wrong with it (not JSON, another
 * format version, a missing field, list bytes that do not match their digest, an invalid list or origin).
 * @example
 * ```ts
 * const stored = decodeListFile(await readFile(path), path);
 * ```
 */
export function decodeListFile(bytes: Uint8Array, path: string): StoredList {
  const bad = (what: string, cause?: unknown): ImageError =>
    new ImageError('ERR_INVALID_IMAGE', `stored list ${path} ${what}`, cause === undefined ? {} : { cause });
  let file: unknown;
  try {
    file = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw bad('is not JSON (the file is damaged)', cause);
  }
  if (!isObject(file)) throw bad('is not a JSON object');
  if (file.version !== LIST_FILE_VERSION) {
    throw bad(`has format version ${JSON.stringify(file.version)}; this version of ferry reads ${LIST_FILE_VERSION}`);
  }
  const { name, list, origins } = file;
  if (typeof name !== 'string' || name === '') throw bad('has no "name"');
  if (!isObject(list)) throw bad('has no "list"');
  const { mediaType, digest, data } = list;
  if (typeof mediaType !== 'string' || typeof digest !== 'string' || typeof data !== 'string') {
    throw bad('has no "list.mediaType", "list.digest" or "list.data"');
  }
  const listBytes = new Uint8Array(Buffer.from(data, 'base64'));
  if (digestBytes(listBytes) !== digest) throw bad(`holds list bytes that do not match their digest ${digest}`);
  let value: ManifestList;
  try {
    value = ManifestList.parse(listBytes, mediaType);
  } catch (cause) {
    throw bad(`holds an invalid list: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
  }
  return { name, list: value, origins: decodeOrigins(origins, bad) };
}

function decodeOrigins(origins: unknown, bad: (what: string, cause?: unknown) => ImageError): Map<Digest, string> {
  if (!isObject(origins)) throw bad('has no "origins" object');
  const map = new Map<Digest, string>();
  for (const [key, origin] of Object.entries(origins)) {
    if (typeof origin !== 'string') throw bad(`has a non-string origin for ${key}`);
    try {
      map.set(parseDigest(key), origin);
    } catch (cause) {
      throw bad(`has an origin under an invalid digest ${JSON.stringify(key)}`, cause);
    }
  }
  return map;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The list name a stored-list file holds, read without checking the rest (so a damaged list still shows in
 * a listing, and its `load` says what is wrong); `undefined` when not even that can be read.
 */
export function readListFileName(bytes: Uint8Array): string | undefined {
  try {
    const file: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isObject(file) && typeof file.name === 'string' ? file.name : undefined;
  } catch {
    return undefined;
  }
}
