import { open, readFile, stat, unlink } from 'node:fs/promises';

/** A lock older than this is taken to be left behind by a crash, whoever holds it. */
export const STALE_LOCK_MS = 30_000;

/**
 * Tries once to take the exclusive lock file `path` (created with `O_EXCL`, holding this process's PID).
 * A lock whose process is gone, or older than {@link STALE_LOCK_MS}, is broken and retried once. Returns the
 * release function, or `undefined` when another live process holds the lock. Never waits.
 */
export async function tryLock(path: string): Promise<(() => Promise<void>) | undefined> {
  const token = `${process.pid} ${Date.now()} ${Math.random().toString(36).slice(2)}\n`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const file = await open(path, 'wx', 0o600);
      try {
        await file.writeFile(token);
      } finally {
        await file.close();
      }
      return () => release(path, token);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!(await isStale(path))) return undefined;
    await unlink(path).catch(() => {});
  }
  return undefined;
}

async function release(path: string, token: string): Promise<void> {
  // only our own lock: a slow holder's lock may have been broken as stale and taken by another process
  const content = await readFile(path, 'utf8').catch(() => undefined);
  if (content === token) await unlink(path).catch(() => {});
}

async function isStale(path: string): Promise<boolean> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    if (Date.now() - info.mtimeMs > STALE_LOCK_MS) return true;
    const pid = Number.parseInt(content, 10);
    // an empty lock is one being written right now (open and write are two steps)
    return Number.isSafeInteger(pid) && pid > 0 && !isAlive(pid);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'; // released meanwhile: try again
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
