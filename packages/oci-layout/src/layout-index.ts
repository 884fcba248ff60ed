import type { ListEntry } from '@ferry/manifest';
import { OCI_INDEX_MEDIA_TYPE } from '@ferry/manifest';
import { ImageError, parseDigest } from '@ferry/types';
import { REF_NAME_ANNOTATION } from './layout-paths.ts';

/**
 * One entry of a layout's `index.json`. Fields Ferry does not know (e.g. `platform`, `artifactType`) are
 * kept as they were when the index is rewritten.
 */
export interface IndexEntry extends ListEntry {
  readonly [field: string]: unknown;
}

/** A layout's `index.json`: an OCI image index whose entries may carry reference names. */
export interface LayoutIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly manifests: readonly IndexEntry[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

/** An empty index, as a new layout holds. */
export function emptyIndex(): LayoutIndex {
  return { schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: [] };
}

/** The reference name of an entry (its `org.opencontainers.image.ref.name`), or `undefined`. */
export function refNameOf(entry: IndexEntry): string | undefined {
  const name = entry.annotations?.[REF_NAME_ANNOTATION];
  return name === undefined || name === '' ? undefined : name;
}

/**
 * Parses and validates `index.json` bytes.
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` naming `what` and the field that is wrong.
 * @example
 * ```ts
 * const index = parseLayoutIndex(await readFile(`${dir}/index.json`), `${dir}/index.json`);
 * ```
 */
export function parseLayoutIndex(bytes: Uint8Array, what: string): LayoutIndex {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', `${what} is not valid JSON`, { cause });
  }
  if (!isObject(value)) throw invalid(what, 'not a JSON object');
  if (value.schemaVersion !== 2) throw invalid(what, `schemaVersion is ${JSON.stringify(value.schemaVersion)}, not 2`);
  if (value.mediaType !== undefined && value.mediaType !== OCI_INDEX_MEDIA_TYPE) {
    throw invalid(what, `mediaType is ${JSON.stringify(value.mediaType)}, not ${OCI_INDEX_MEDIA_TYPE}`);
  }
  // umoci and containers/image accept a missing manifests array as empty
  const manifests = value.manifests ?? [];
  if (!Array.isArray(manifests)) throw invalid(what, 'manifests is not an array');
  manifests.forEach((entry, i) => {
    checkEntry(entry, `${what}: manifests[${i}]`);
  });
  if (value.annotations !== undefined) checkAnnotations(value.annotations, `${what}: annotations`);
  return { ...value, manifests } as unknown as LayoutIndex;
}

/** Serializes an index for writing, as compact JSON like containers/image. */
export function serializeLayoutIndex(index: LayoutIndex): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(index));
}

/**
 * Validates a descriptor to be stored in an index.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when it is malformed.
 */
export function checkDescriptor(entry: unknown, what: string): asserts entry is IndexEntry {
  try {
    checkEntry(entry, what);
  } catch (error) {
    throw new ImageError('ERR_INVALID_ARGUMENT', (error as Error).message, { cause: error });
  }
}

function checkEntry(entry: unknown, what: string): void {
  if (!isObject(entry)) throw invalid(what, 'not a JSON object');
  if (typeof entry.mediaType !== 'string' || entry.mediaType === '') throw invalid(what, 'mediaType is missing');
  if (typeof entry.digest !== 'string') throw invalid(what, 'digest is missing');
  try {
    parseDigest(entry.digest);
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', `${what}: ${(cause as Error).message}`, { cause });
  }
  if (!(typeof entry.size === 'number' && Number.isSafeInteger(entry.size) && entry.size >= 0)) {
    throw invalid(what, 'size is not a non-negative integer');
  }
  if (entry.annotations !== undefined) checkAnnotations(entry.annotations, `${what}: annotations`);
}

function checkAnnotations(value: unknown, what: string): void {
  if (!isObject(value)) throw invalid(what, 'not a JSON object');
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalid(what, `${JSON.stringify(key)} is not a string`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(what: string, detail: string): ImageError {
  return new ImageError('ERR_INVALID_IMAGE', `${what}: ${detail}`);
}
