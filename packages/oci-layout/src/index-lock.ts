import { join } from 'node:path';
import { acquireFileLock, type FileLock, type FileLockOptions } from '@ferry/blob';
import { INDEX_LOCK_FILE } from './layout-paths.ts';

/** Options of {@link acquireIndexLock}. */
export type IndexLockOptions = FileLockOptions;

/** A held lock; `release` is idempotent. */
export type IndexLock = FileLock;

/**
 * Takes the lock guarding read-modify-write of `index.json` in the layout at `root`: `index.json.lock`, a
 * cross-process lock from `@ferry/blob`'s `acquireFileLock` (waits while another process holds it, takes
 * over one whose holder on this host is dead).
 *
 * @throws `ImageError` `ERR_IO` naming the lock file after `timeoutMs`; an abort throws `signal.reason`.
 */
export function acquireIndexLock(root: string, options: IndexLockOptions = {}): Promise<IndexLock> {
  return acquireFileLock(join(root, INDEX_LOCK_FILE), options);
}
