import { type ChildProcess, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listFileName } from './list-names.ts';
import { openListStore } from './list-store.ts';
import { ManifestList } from './manifest-list.ts';
import { ensureBuilt, STORE_CHILD } from './test-support/built-dist.ts';
import { PLATFORMS, tempDir, testInstance } from './test-support/store-fixtures.ts';

beforeAll(ensureBuilt, 180_000);

function child(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [STORE_CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function exitOf(process: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  process.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => process.on('close', (code) => resolve({ code, stderr })));
}

describe('the list store across processes', () => {
  it('8 processes each adding an instance to one list: all 8 land', { timeout: 60_000 }, async () => {
    const root = join(await tempDir(), 'lists');
    const store = openListStore({ root });
    await store.create({ name: 'multi/arch', list: ManifestList.empty(), origins: new Map() });
    const results = await Promise.all(
      PLATFORMS.map(([os, architecture], i) =>
        exitOf(child(['add', root, 'multi/arch', os, architecture, `image-${i}`])),
      ),
    );
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });
    const { list, origins } = await store.load('multi/arch');
    const expected = PLATFORMS.map((_, i) => testInstance(i).digest);
    expect(new Set(list.instances.map((i) => i.digest))).toEqual(new Set(expected));
    expect(list.instances).toHaveLength(8);
    expect(new Set(origins.keys())).toEqual(new Set(expected));
    expect(await readdir(root)).toEqual([listFileName('multi/arch')]);
  });

  it('an updater killed with SIGKILL while holding the lock does not block the next', { timeout: 60_000 }, async () => {
    const root = join(await tempDir(), 'lists');
    const store = openListStore({ root });
    await store.create({ name: 'app', list: ManifestList.empty().add(testInstance(0)), origins: new Map() });
    const holder = child(['hold', root, 'app']);
    const done = exitOf(holder);
    await new Promise<void>((resolve, reject) => {
      holder.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      holder.on('close', (code) => reject(new Error(`holder exited with ${code} before it held the lock`)));
    });
    expect(await readdir(root)).toContain(`${listFileName('app')}.lock`);
    holder.kill('SIGKILL');
    await done;
    const updated = await store.update('app', (s) => ({ ...s, list: s.list.add(testInstance(1)) }));
    expect(updated.list.instances).toHaveLength(2);
    expect((await store.load('app')).list.instances).toHaveLength(2);
    expect(await readdir(root)).toEqual([listFileName('app')]);
  });
});
