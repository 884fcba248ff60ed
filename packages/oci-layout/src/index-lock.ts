import { randomBytes } from 'node:crypto';
import { link, open, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CallOptions, ImageError } from '@ferry/types';
import { asLayoutError, errnoOf } from './fs-error.ts';
import { INDEX_LOCK_FILE, PID_TEMP_PREFIX } from './layout-paths.ts';
import { currentProcess, isProcessGone, type ProcessIdentity } from './process-identity.ts';
import { sleep } from './sleep.ts';

/** Options of {@link acquireIndexLock}. */
export interface IndexLockOptions extends CallOptions {
  /** How long to wait for another holder before failing with `ERR_IO`. @default 60000 */
  readonly timeoutMs?: number;
}

/** A held lock; `release` is idempotent. */
export interface IndexLock {
  release(): Promise<void>;
}

interface LockContent extends ProcessIdentity {
  readonly token: string;
}

// a lock or breaker file without readable content older than this is left over from a crash
const UNREADABLE_STALE_MS = 10_000;

/**
 * Takes the lock guarding read-modify-write of `index.json` in the layout at `root`: `index.json.lock`,
 * created atomically with the holder's pid, host and a random token. Waits with jittered backoff while
 * another process holds it; a lock whose holder on this host is dead is taken over (under a second,
 * short-lived `index.json.lock.break` lock, so two waiters never both remove it).
 *
 * @throws {@link ImageError} `ERR_IO` naming the lock file after `timeoutMs`; an abort throws `signal.reason`.
 */
export async function acquireIndexLock(root: string, options: IndexLockOptions = {}): Promise<IndexLock> {
  const { signal } = options;
  const path = join(root, INDEX_LOCK_FILE);
  const content: LockContent = { ...currentProcess(), token: randomBytes(12).toString('hex') };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let wait = 2;
  for (;;) {
    signal?.throwIfAborted();
    if (await tryCreate(root, path, content, signal)) return heldLock(path, content.token);
    const holder = await readLock(path);
    if (holder !== 'absent' && (await isStale(path, holder))) {
      await breakStale(path, holder, signal);
      continue;
    }
    if (Date.now() > deadline) {
      const who = holder === 'absent' || holder === 'unreadable' ? '' : ` (held by pid ${holder.pid})`;
      throw new ImageError('ERR_IO', `timed out waiting for the lock ${path}${who}`);
    }
    await sleep(wait / 2 + Math.random() * wait, signal);
    wait = Math.min(wait * 2, 100);
  }
}

async function tryCreate(root: string, path: string, content: LockContent, signal?: AbortSignal): Promise<boolean> {
  const temp = join(root, `${PID_TEMP_PREFIX}${content.pid}-lock-${content.token}.tmp`);
  try {
    await writeFile(temp, JSON.stringify(content), { flag: 'wx' });
    await link(temp, path);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw asLayoutError(error, `taking the lock ${path}`, signal);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

function heldLock(path: string, token: string): IndexLock {
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      const holder = await readLock(path);
      // never remove a lock that is not ours (it would only be another's after a takeover gone wrong)
      if (typeof holder === 'object' && holder.token === token) await rm(path, { force: true });
    },
  };
}

async function readLock(path: string): Promise<LockContent | 'absent' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 'absent';
    throw asLayoutError(error, `reading the lock ${path}`);
  }
  try {
    const value = JSON.parse(text) as Partial<LockContent>;
    const { pid, host, started, token } = value;
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

async function isStale(path: string, holder: LockContent | 'unreadable'): Promise<boolean> {
  if (holder !== 'unreadable') return isProcessGone(holder);
  return olderThan(path, UNREADABLE_STALE_MS);
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
    if (errnoOf(error) !== 'EEXIST') throw asLayoutError(error, `taking the lock ${breaker}`, signal);
    // a breaker is held for a few milliseconds; one this old was left by a crash
    if (await olderThan(breaker, UNREADABLE_STALE_MS)) await rm(breaker, { force: true });
    else await sleep(5, signal);
    return;
  }
  try {
    const now = await readLock(path);
    // only the holder we judged stale is removed: a dead holder cannot release it meanwhile, and every
    // other remover needs the breaker we hold
    const same = now === seen || (typeof now === 'object' && typeof seen === 'object' && now.token === seen.token);
    if (same) await unlink(path).catch(() => undefined);
  } finally {
    await rm(breaker, { force: true });
  }
}
