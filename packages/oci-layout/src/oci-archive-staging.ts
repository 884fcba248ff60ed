import { rm } from 'node:fs/promises';
import { findLeftovers, siblingPath } from '@ferry/blob';

/** What a hidden sibling of an archive holds: a layout being written, or the new archive being written. */
export type ArchiveSiblingKind = 'staging' | 'tmp';

/** A fresh hidden path beside `target`, owned by this process (see @ferry/blob's `siblingPath`). */
export function archiveSibling(target: string, kind: ArchiveSiblingKind): string {
  return siblingPath(target, kind);
}

/**
 * Removes the staging directories and temp archives that killed writers left beside `target`; those of
 * live processes (this one included) are left alone. Failures are ignored: this is housekeeping.
 *
 * @returns The paths removed.
 */
export async function cleanArchiveLeftovers(target: string): Promise<string[]> {
  const removed: string[] = [];
  for (const { path, kind } of await findLeftovers(target)) {
    if (kind !== 'staging' && kind !== 'tmp') continue;
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    removed.push(path);
  }
  return removed;
}
