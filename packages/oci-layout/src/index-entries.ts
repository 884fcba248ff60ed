import { type IndexEntry, type LayoutIndex, refNameOf } from './layout-index.ts';

/**
 * Returns `index` with `entry` stored under `name` (or unnamed), keeping every other entry in place:
 * - with a name, an entry of that name is replaced where it stands (other entries of the same name, which
 *   a foreign tool may have left, are dropped); failing that, an unnamed entry of the same digest is
 *   replaced (as containers/image does); failing that, the entry is appended;
 * - without a name, an unnamed entry of the same digest is replaced, or the entry is appended.
 *
 * @example
 * ```ts
 * await layout.updateIndex((index) => withEntry(index, descriptor, 'v1'));
 * ```
 */
export function withEntry(index: LayoutIndex, entry: IndexEntry, name: string | undefined): LayoutIndex {
  const manifests = [...index.manifests];
  let at = name === undefined ? -1 : manifests.findIndex((e) => refNameOf(e) === name);
  if (at === -1) at = manifests.findIndex((e) => refNameOf(e) === undefined && e.digest === entry.digest);
  if (at === -1) return { ...index, manifests: [...manifests, entry] };
  manifests[at] = entry;
  const kept = manifests.filter((e, i) => i === at || name === undefined || refNameOf(e) !== name);
  return { ...index, manifests: kept };
}

/** Returns `index` without the entries named `name`. */
export function withoutName(index: LayoutIndex, name: string): LayoutIndex {
  return { ...index, manifests: index.manifests.filter((e) => refNameOf(e) !== name) };
}

/** Whether two descriptors name the same content the same way (what umoci's clobber check compares). */
export function sameTarget(a: IndexEntry, b: IndexEntry): boolean {
  return a.digest === b.digest && a.mediaType === b.mediaType && a.size === b.size;
}
