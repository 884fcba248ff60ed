import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isImageError } from '@ferry/types';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acquireFileLock, currentProcess } from './index.ts';
import { ensureBuilt, LOCK_CHILD } from './test-support/built-dist.ts';

let dir = '';
let lockPath = '';

beforeAll(ensureBuilt, 120_000);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-lock-'));
  lockPath = join(dir, 'thing.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const me = (): { pid: number; host: string; started: number; token: string } => ({ ...currentProcess(), token: 't' });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('acquireFileLock', () => {
  it('creates the lock file with the holder and removes it on release, idempotently', async () => {
    const lock = await acquireFileLock(lockPath);
    expect(lock.path).toBe(lockPath);
    const content = JSON.parse(await readFile(lockPath, 'utf8'));
    expect(content).toMatchObject({ pid: process.pid, host: currentProcess().host });
    expect(typeof content.token).toBe('string');
    await lock.release();
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('releases on disposal', async () => {
    {
      await using _lock = await acquireFileLock(lockPath);
      expect(await readdir(dir)).toEqual(['thing.lock']);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('excludes other holders in this process: the waiter gets it after release', async () => {
    const first = await acquireFileLock(lockPath);
    let secondHeld = false;
    const second = acquireFileLock(lockPath).then((lock) => {
      secondHeld = true;
      return lock;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(secondHeld).toBe(false);
    await first.release();
    await (await second).release();
    expect(secondHeld).toBe(true);
  });

  it('fails with ERR_IO naming the lock and its holder when a live holder keeps it', async () => {
    await writeFile(lockPath, JSON.stringify(me()));
    const error = await rejection(acquireFileLock(lockPath, { timeoutMs: 100 }));
    expect(isImageError(error, 'ERR_IO')).toBe(true);
    expect((error as Error).message).toContain(lockPath);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    // the live holder's lock is untouched
    expect(JSON.parse(await readFile(lockPath, 'utf8')).token).toBe('t');
  });

  it('never breaks a lock held from another host', async () => {
    await writeFile(lockPath, JSON.stringify({ ...me(), host: 'elsewhere', pid: 4194305 }));
    const error = await rejection(acquireFileLock(lockPath, { timeoutMs: 100 }));
    expect(isImageError(error, 'ERR_IO')).toBe(true);
  });

  it('takes over a lock whose holder is dead (a pid above pid_max, or our pid with another start)', async () => {
    await writeFile(lockPath, JSON.stringify({ ...me(), pid: 4194305 }));
    const lock = await acquireFileLock(lockPath, { timeoutMs: 2000 });
    expect(JSON.parse(await readFile(lockPath, 'utf8')).token).not.toBe('t');
    await lock.release();
    await writeFile(lockPath, JSON.stringify({ ...me(), started: me().started - 3_600_000 }));
    await (await acquireFileLock(lockPath, { timeoutMs: 2000 })).release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('treats an unreadable lock as held while fresh and as stale once old', async () => {
    await writeFile(lockPath, '{"pid":');
    expect(isImageError(await rejection(acquireFileLock(lockPath, { timeoutMs: 100 })), 'ERR_IO')).toBe(true);
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath, old, old);
    await (await acquireFileLock(lockPath, { timeoutMs: 2000 })).release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not remove a lock taken over by another holder on release', async () => {
    const lock = await acquireFileLock(lockPath);
    await writeFile(lockPath, JSON.stringify(me()));
    await lock.release();
    expect(JSON.parse(await readFile(lockPath, 'utf8')).token).toBe('t');
  });

  it('surfaces an abort while waiting as signal.reason, unwrapped', async () => {
    await writeFile(lockPath, JSON.stringify(me()));
    const controller = new AbortController();
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 30);
    expect(await rejection(acquireFileLock(lockPath, { signal: controller.signal }))).toBe(reason);
    expect(await rejection(acquireFileLock(join(dir, 'other.lock'), { signal: controller.signal }))).toBe(reason);
    expect(await readdir(dir)).toEqual(['thing.lock']);
  });

  it('fails with ERR_IO when the directory does not exist', async () => {
    const error = await rejection(acquireFileLock(join(dir, 'missing', 'x.lock')));
    expect(isImageError(error, 'ERR_IO')).toBe(true);
    expect((error as Error).message).toContain('x.lock');
  });

  it('removes old temp files that dead processes left beside the lock', async () => {
    const leftover = join(dir, '.thing.lock.ferry-4194305-abcdef.pending');
    const fresh = join(dir, '.thing.lock.ferry-4194306-abcdef.pending');
    await writeFile(leftover, '{}');
    await writeFile(fresh, '{}');
    const old = new Date(Date.now() - 60_000);
    await utimes(leftover, old, old);
    await (await acquireFileLock(lockPath)).release();
    expect(await readdir(dir)).toEqual(['.thing.lock.ferry-4194306-abcdef.pending']);
  });
});

describe('acquireFileLock across processes', () => {
  it('8 processes incrementing one counter under the lock lose no increment', { timeout: 60_000 }, async () => {
    const counter = join(dir, 'counter');
    await writeFile(counter, '0');
    const children = Array.from({ length: 8 }, () =>
      exitOf(spawn(process.execPath, [LOCK_CHILD, 'count', lockPath, counter, '10'], { stdio: 'pipe' })),
    );
    for (const result of await Promise.all(children)) expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(await readFile(counter, 'utf8')).toBe('80');
    expect(await readdir(dir)).toEqual(['counter']);
  });

  it('a holder killed with SIGKILL does not block the next one', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [LOCK_CHILD, 'hold', lockPath], { stdio: 'pipe' });
    const done = exitOf(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('close', (code) => reject(new Error(`child exited with ${code} before it held the lock`)));
    });
    expect(JSON.parse(await readFile(lockPath, 'utf8')).pid).toBe(child.pid);
    child.kill('SIGKILL');
    await done;
    const lock = await acquireFileLock(lockPath, { timeoutMs: 5000 });
    expect(JSON.parse(await readFile(lockPath, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });
});
