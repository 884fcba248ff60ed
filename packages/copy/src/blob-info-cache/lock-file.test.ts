import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compactLog } from './compact-log.ts';
import { tryLock } from './lock-file.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-bic-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// a PID above the kernel's limit (4194304 at most on Linux) belongs to no process
const DEAD_PID = 2 ** 22 + 17;
const limits = { maxLocationsPerDigest: 4, maxCandidates: 5, targetBytes: 4096 };

describe('tryLock', () => {
  it('is exclusive, holds the PID, and releases', async () => {
    const path = join(dir, 'x.lock');
    const release = await tryLock(path);
    expect(release).toBeTypeOf('function');
    expect((await readFile(path, 'utf8')).split(' ')[0]).toBe(String(process.pid));
    expect(await tryLock(path)).toBeUndefined();
    await release?.();
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await tryLock(path);
    expect(again).toBeTypeOf('function');
    await again?.();
  });

  it('breaks a lock whose process is gone', async () => {
    const path = join(dir, 'x.lock');
    await writeFile(path, `${DEAD_PID} 0 x\n`);
    const release = await tryLock(path);
    expect(release).toBeTypeOf('function');
    await release?.();
  });

  it('breaks a lock older than the stale bound even when its PID is alive', async () => {
    const path = join(dir, 'x.lock');
    await writeFile(path, `${process.pid} 0 x\n`);
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    expect(await tryLock(path)).toBeTypeOf('function');
  });

  it('does not release a lock that another process took over', async () => {
    const path = join(dir, 'x.lock');
    const release = await tryLock(path);
    await writeFile(path, 'someone else\n');
    await release?.();
    expect(await readFile(path, 'utf8')).toBe('someone else\n');
  });
});

describe('compactLog', () => {
  it('skips, changing nothing, while a live process holds the lock', async () => {
    const path = join(dir, 'c.jsonl');
    const content = 'garbage\n';
    await writeFile(path, content);
    await writeFile(`${path}.lock`, `${process.pid} 0 x\n`);
    expect(await compactLog(path, limits, [])).toBe(false);
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('drops garbage and proceeds past a lock left by a killed process', async () => {
    const path = join(dir, 'c.jsonl');
    const record = `["l","docker","s","sha256:${'a'.repeat(64)}","r/a",1]\n`;
    await writeFile(path, `garbage\n${record}["l",`);
    await writeFile(`${path}.lock`, `${DEAD_PID} 0 x\n`);
    expect(await compactLog(path, limits, [])).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(record);
    await expect(stat(`${path}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
