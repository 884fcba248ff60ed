import type { SystemOptions } from '@ferry/types';
import type { IndexEntry } from './layout-index.ts';
import { openLayout } from './oci-layout.ts';
import type { OciReferenceParts } from './oci-reference-text.ts';
import { reachableBlobs } from './reachable-blobs.ts';
import { resolveEntry } from './resolve-entry.ts';

/**
 * Deletes the image an `oci:` reference names, as containers/image: its entry leaves `index.json`, then the
 * blobs it reached that nothing else in the layout reaches are deleted. The entry goes first (under the
 * lock), so a crash in between leaves only unreferenced blobs, never a dangling reference.
 *
 * @throws {@link ImageError} as the source does when the reference names nothing.
 */
export async function deleteOciImage(parts: OciReferenceParts, options: SystemOptions = {}): Promise<void> {
  const { signal } = options;
  await using layout = await openLayout(parts.dir, signal === undefined ? {} : { signal });
  let removed: IndexEntry | undefined;
  await layout.updateIndex((index) => {
    const { entry, position } = resolveEntry(index, parts);
    removed = entry;
    return { ...index, manifests: index.manifests.filter((_, i) => i !== position) };
  }, options);
  if (removed === undefined) return;
  const candidates = await reachableBlobs(layout.path, [removed], signal);
  await layout.gc({ candidates, ...(signal && { signal }) });
}
