import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Digest, isDigest } from '@ferry/types';
import { errnoOf } from './fs-error.ts';
import type { LayoutIndex } from './layout-index.ts';
import { BLOBS_DIR, blobFilePath } from './layout-paths.ts';
import { entryRefs, reachableBlobs } from './reachable-blobs.ts';
import { isAbandoned, listWorkDirs } from './work-dir.ts';

/** Options of {@link sweepBlobs}. */
export interface SweepOptions {
  /** Only these blobs may be deleted. @default every blob in the layout */
  readonly candidates?: Iterable<Digest>;
  /** The caller's own work directory, which does not count as another writer. */
  readonly ownWorkDir?: string;
  /**
   * Delete nothing at all while another writer is active (for a destination cleaning up after itself).
   * Otherwise, while other writers are active, only blobs last modified before the oldest of them started
   * are deleted: what they wrote or claimed since is kept.
   * @default false
   */
  readonly nothingWhileOthersWrite?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Deletes blobs of the layout at `root` that `index` does not reach. The caller MUST hold the index lock:
 * writers register their work directory under it, so the set of active writers cannot change meanwhile.
 *
 * @returns The digests deleted.
 */
export async function sweepBlobs(root: string, index: LayoutIndex, options: SweepOptions = {}): Promise<Digest[]> {
  const { signal } = options;
  const others = (await listWorkDirs(root)).filter((d) => d.path !== options.ownWorkDir && !isAbandoned(d));
  if (others.length > 0 && options.nothingWhileOthersWrite === true) return [];
  const cutoff = Math.min(...others.map((d) => d.created));
  const reachable = await reachableBlobs(root, entryRefs(index.manifests), signal);
  const deleted: Digest[] = [];
  for (const digest of options.candidates ?? (await listBlobDigests(root))) {
    signal?.throwIfAborted();
    if (reachable.has(digest)) continue;
    const path = blobFilePath(root, digest);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || info.mtimeMs >= cutoff) continue;
    await rm(path, { force: true });
    deleted.push(digest);
  }
  return deleted;
}

/** Every blob digest present in the layout at `root`; files with other names are ignored. */
export async function listBlobDigests(root: string): Promise<Digest[]> {
  const out: Digest[] = [];
  for (const algorithm of ['sha256', 'sha512']) {
    let names: string[];
    try {
      names = await readdir(join(root, BLOBS_DIR, algorithm));
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') continue;
      throw error;
    }
    for (const name of names) {
      const digest = `${algorithm}:${name}`;
      if (isDigest(digest)) out.push(digest);
    }
  }
  return out.sort();
}
