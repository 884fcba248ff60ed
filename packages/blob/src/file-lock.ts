import { randomBytes } from 'node:crypto';
import { link, open, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { type CallOptions, ImageError, isImageError } from '@ferry/types';
import { abortableSleep } from './abortable-sleep.ts';
import { currentProcess, isProcessGone, type ProcessIdentity } from './process-identity.ts';
import { findLeftovers, siblingPath } from './sibling-paths.ts';

/** Options of {@link acquireFileLock}. */
export interface FileLockOptions extends CallOptions {
  /** How long to wait for another holder before failing with `ERR_IO`. @default 60000 */
  readonly timeoutMs?: number;
}

/** A held lock. `release` (or disposal) is idempotent and never removes a lock another process took over. */
export interface FileLock extends AsyncDisposable {
  /** The lock file. */
  readonly path: string;
  /** Gives the lock up. */
  release(): Promise<void>;
}

interface LockContent extends ProcessIdentity {
  readonly token: string;
}

type Holder = LockContent | 'absent' | 'unreadable';

// a lock, breaker or temp file without a live owner and older than this is left over from a crash
const STALE_MS = 10_000;

/**
 * Takes the cross-process lock `lockPath`: a file created atomically (written beside it, then hard-linked
 * into place) holding the holder's pid, host and a random token. While another process holds it, waits with
 * jittered exponential backoff (2 ms up to 100 ms). A lock whose holder on this host is dead (a SIGKILL, a
 * crash) is taken over, under a second, short-lived `<lockPath>.break` lock so that two waiters never both
 * remove it; a lock held from another host is never broken. The parent directory MUST exist.
 *
 * @throws {@link ImageError} `ERR_IO` naming the lock file (and its holder) after `timeoutMs`, or wrapping a
 * system error; an abort throws `signal.reason`.
 * @example
 * ```ts
 * await using lock = await acquireFileLock(`${dir}/index.json.lock`, { signal });
 * // read, modify and write index.json; the lock is released when `lock` goes out of scope
 * ```
 */
export async function acquireFileLock(lockPath: string, options: FileLockOptions = {}): Promise<FileLock> {
  const { signal } = options;
  const content: LockContent = { ...currentProcess(), token: randomBytes(12).toString('hex') };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let wait = 2;
  for (;;) {
    signal?.throwIfAborted();
    if (await tryCreate(lockPath, content, signal)) {
      await removeLeftovers(lockPath);
      return heldLock(lockPath, content.token);
    }
    const holder = await readLock(lockPath, signal);
    if (holder !== 'absent' && (await isStale(lockPath, holder))) {
      await breakStale(lockPath, holder, signal);
      continue;
    }
    if (Date.now() > deadline) {
      const who = typeof holder === 'object' ? ` (held by pid ${holder.pid})` : '';
      throw new ImageError('ERR_IO', `timed out waiting for the lock ${lockPath}${who}`);
    }
    await abortableSleep(wait / 2 + Math.random() * wait, signal);
    wait = Math.min(wait * 2, 100);
  }
}

// the lock appears with its whole content at once, so a reader never sees a half-written holder; the
// temp kind is not `tmp`, so a layout's sweep of its own `.index.json.*.tmp` files never takes it
async function tryCreate(path: string, content: LockContent, signal?: AbortSignal): Promise<boolean> {
  const temp = siblingPath(path, 'pending');
  try {
    await writeFile(temp, JSON.stringify(content), { flag: 'wx' });
    await link(temp, path);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw asLockError(error, `taking the lock ${path}`, signal);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

// temp files of processes killed between writing and linking them; the age guards against a pid that is
// only dead here because the file system is shared with another host
async function removeLeftovers(path: string): Promise<void> {
  for (const { path: leftover } of await findLeftovers(path)) {
    if (await olderThan(leftover, STALE_MS)) await rm(leftover, { force: true }).catch(() => undefined);
  }
}

function heldLock(path: string, token: string): FileLock {
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    const holder = await readLock(path);
    // never remove a lock that is not ours (it would only be another's after a takeover gone wrong)
    if (typeof holder === 'object' && holder.token === token) await rm(path, { force: true });
  };
  return { path, release, [Symbol.asyncDispose]: release };
}

async function readLock(path: string, signal?: AbortSignal): Promise<Holder> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 'absent';
    throw asLockError(error, `reading the lock ${path}`, signal);
  }
  try {
    const { pid, host, started, token } = JSON.parse(text) as Partial<LockContent>;
    if (
      typeof pid === 'number' &&
      typeof host === 'string' &&
      typeof started === 'number' &&
      typeof token === 'string'
    ) {
      return { pid, host, started, token };
    }
  } catch {
    // fall through: unreadable
  }
  return 'unreadable';
}

function isStale(path: string, holder: LockContent | 'unreadable'): Promise<boolean> | boolean {
  if (holder !== 'unreadable') return isProcessGone(holder);
  return olderThan(path, STALE_MS);
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return false;
  }
}

async function breakStale(path: string, seen: LockContent | 'unreadable', signal?: AbortSignal): Promise<void> {
  const breaker = `${path}.break`;
  try {
    const handle = await open(breaker, 'wx');
    await handle.close();
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw asLockError(error, `taking the lock ${breaker}`, signal);
    // a breaker is held for a few milliseconds; one this old was left by a crash
    if (await olderThan(breaker, STALE_MS)) await rm(breaker, { force: true });
    else await abortableSleep(5, signal);
    return;
  }
  try {
    const now = await readLock(path, signal);
    // only the holder we judged stale is removed: a dead holder cannot release it meanwhile, and every
    // other remover needs the breaker we hold
    const same = now === seen || (typeof now === 'object' && typeof seen === 'object' && now.token === seen.token);
    if (same) await unlink(path).catch(() => undefined);
  } finally {
    await rm(breaker, { force: true });
  }
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function asLockError(error: unknown, what: string, signal: AbortSignal | undefined): unknown {
  if (isImageError(error)) return error;
  if (signal?.aborted === true) return signal.reason;
  const detail = error instanceof Error ? error.message : String(error);
  return new ImageError('ERR_IO', `${what} failed: ${detail}`, { cause: error });
}
