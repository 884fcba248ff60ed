import { ImageError } from '@ferry/types';

/** The name of the index of a `docker save` archive. */
export const MANIFEST_JSON = 'manifest.json';

/** One image in an archive's `manifest.json`, as `docker save` and containers/image write it. */
export interface ArchiveManifestItem {
  /** The member holding the image config. */
  readonly Config: string;
  /** Tags the image is known by, e.g. `docker.io/library/busybox:latest` (may be familiar: `busybox:latest`). */
  readonly RepoTags: readonly string[];
  /** The members holding the layers, base first: uncompressed (or compressed) tars. */
  readonly Layers: readonly string[];
}

/**
 * Parses the bytes of `manifest.json`: an array of items with a string `Config`, and `RepoTags` and `Layers`
 * arrays of strings (`null` or absent means empty, as Go's decoder reads them). Other fields are ignored.
 *
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` naming `label` and the item at fault.
 * @example
 * ```ts
 * const items = parseArchiveManifest(bytes, 'image.tar');
 * ```
 */
export function parseArchiveManifest(bytes: Uint8Array, label: string): readonly ArchiveManifestItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', `${MANIFEST_JSON} of ${label} is not valid JSON`, { cause });
  }
  if (!Array.isArray(parsed)) {
    throw new ImageError('ERR_INVALID_IMAGE', `${MANIFEST_JSON} of ${label} is not a JSON array`);
  }
  return Object.freeze(parsed.map((item, i) => parseItem(item, `${MANIFEST_JSON} item @${i} of ${label}`)));
}

function parseItem(item: unknown, what: string): ArchiveManifestItem {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new ImageError('ERR_INVALID_IMAGE', `${what} is not a JSON object`);
  }
  const fields = item as Record<string, unknown>;
  const config = fields.Config;
  if (typeof config !== 'string' || config === '') {
    throw new ImageError('ERR_INVALID_IMAGE', `${what} has no Config string`);
  }
  return Object.freeze({
    Config: config,
    RepoTags: stringArray(fields.RepoTags, `${what}: RepoTags`),
    Layers: stringArray(fields.Layers, `${what}: Layers`),
  });
}

function stringArray(value: unknown, what: string): readonly string[] {
  if (value === undefined || value === null) return Object.freeze([]);
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ImageError('ERR_INVALID_IMAGE', `${what} is not an array of strings`);
  }
  return Object.freeze([...(value as string[])]);
}
