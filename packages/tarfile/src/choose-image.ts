import { parseNormalizedNamed } from '@ferry/reference';
import type { NamedReference } from '@ferry/types';
import { ImageError } from '@ferry/types';
import type { ArchiveManifestItem } from './archive-manifest.ts';

/** Which image of an archive to read: by name and tag, by position, or (neither) the only one. */
export interface ImageSelector {
  /** A tagged name matched against the normalized `RepoTags`. */
  readonly name?: NamedReference | undefined;
  /** A zero-based position in `manifest.json`. */
  readonly sourceIndex?: number | undefined;
}

/**
 * Chooses an image as containers/image's `ChooseManifestItem`: the first item with a `RepoTags` entry that
 * normalizes to `name`, the item at `sourceIndex`, or the only item.
 *
 * @throws {@link ImageError} `ERR_MANIFEST_UNKNOWN` when no item matches; `ERR_INVALID_IMAGE` for an unparsable
 * tag met on the way or an archive that holds other than one image when nothing was chosen;
 * `ERR_INVALID_ARGUMENT` when both a name and an index are given.
 * @example
 * ```ts
 * const { item, index } = chooseImage(items, { sourceIndex: 1 }, 'a.tar');
 * ```
 */
export function chooseImage(
  items: readonly ArchiveManifestItem[],
  selector: ImageSelector,
  label: string,
): { readonly item: ArchiveManifestItem; readonly index: number } {
  const { name, sourceIndex } = selector;
  if (name !== undefined && sourceIndex !== undefined) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `cannot choose an image of ${label} by both a tag and an index`);
  }
  if (name !== undefined) return byName(items, name.toString(), label);
  if (sourceIndex !== undefined) {
    const item = items[sourceIndex];
    if (item === undefined) {
      throw new ImageError(
        'ERR_MANIFEST_UNKNOWN',
        `invalid source index @${sourceIndex}: ${label} holds only ${items.length} images`,
      );
    }
    return { item, index: sourceIndex };
  }
  const [only] = items;
  if (only === undefined || items.length !== 1) {
    throw new ImageError(
      'ERR_INVALID_IMAGE',
      `unexpected manifest.json in ${label}: expected 1 image, got ${items.length} (choose one with :NAME:TAG or :@N)`,
    );
  }
  return { item: only, index: 0 };
}

function byName(
  items: readonly ArchiveManifestItem[],
  wanted: string,
  label: string,
): { readonly item: ArchiveManifestItem; readonly index: number } {
  for (const [index, item] of items.entries()) {
    for (const tag of item.RepoTags) {
      let normalized: string;
      try {
        normalized = parseNormalizedNamed(tag).toString();
      } catch (cause) {
        throw new ImageError(
          'ERR_INVALID_IMAGE',
          `invalid tag ${JSON.stringify(tag)} in manifest.json item @${index} of ${label}`,
          { cause },
        );
      }
      if (normalized === wanted) return { item, index };
    }
  }
  throw new ImageError('ERR_MANIFEST_UNKNOWN', `tag ${wanted} not found in ${label}`);
}
