import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyStream } from '@ferry/blob';
import { makeTestImage, writeTestImage } from '@ferry/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { ociTransport, openLayout } from './index.ts';
import { ensureBuilt, WRITER_SCRIPT } from './test-support/built-package.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = ociTransport();

function spawnWriter(mode: string, dir: string, tag: string, salt: string): ChildProcess {
  return spawn(process.execPath, [WRITER_SCRIPT, mode, dir, tag, salt], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

function readyOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.on('close', (code) => reject(new Error(`writer exited with ${code} before it was ready`)));
  });
}

async function killed(child: ChildProcess): Promise<void> {
  const done = exitOf(child);
  child.kill('SIGKILL');
  await done;
}

/** Every tag resolves, every blob it names is present and verifies, and no temp file is left. */
async function expectSound(dir: string, tags: readonly string[]): Promise<void> {
  await using layout = await openLayout(dir);
  expect(new Set(await layout.listReferences())).toEqual(new Set(tags));
  for (const digest of await layout.listBlobs()) {
    const { stream, size } = await layout.getBlob(digest);
    for await (const _ of verifyStream(stream, { digest, size })) {
      // verified to the end
    }
  }
  expect((await readdir(dir)).filter((n) => n.startsWith('.') || n.endsWith('.lock'))).toEqual([]);
}

beforeAll(ensureBuilt, 120_000);

describe('several processes writing one layout', () => {
  it('10 concurrent writers each add their tag and none is lost', { timeout: 60_000 }, async () => {
    const dir = join(await tempDir(), 'layout');
    const tags = Array.from({ length: 10 }, (_, i) => `tag-${i}`);
    // salts repeat, so several processes also write the same blobs at once
    const results = await Promise.all(tags.map((tag, i) => exitOf(spawnWriter('write', dir, tag, `s${i % 3}`))));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    await expectSound(dir, tags);
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    expect(index.manifests).toHaveLength(10);
  });

  it('a writer killed while streaming a blob leaves the layout valid and unchanged', { timeout: 60_000 }, async () => {
    const dir = join(await tempDir(), 'layout');
    await writeTestImage(transport.parseReference(`${dir}:keep`), makeTestImage({ salt: 'keep' }));
    const before = await readFile(join(dir, 'index.json'));
    await using layout = await openLayout(dir);
    const blobsBefore = await layout.listBlobs();
    const child = spawnWriter('stall-blob', dir, 'killed', 'k');
    await readyOf(child);
    await killed(child);
    expect(await readFile(join(dir, 'index.json'))).toEqual(before);
    expect(await layout.listBlobs()).toEqual(blobsBefore);
    expect((await readdir(dir)).some((n) => n.startsWith('.ferry-work-'))).toBe(true);
    await writeTestImage(transport.parseReference(`${dir}:next`), makeTestImage({ salt: 'next' }));
    await expectSound(dir, ['keep', 'next']);
  });

  it('a writer killed while holding the index lock does not block the next one', { timeout: 60_000 }, async () => {
    const dir = join(await tempDir(), 'layout');
    const child = spawnWriter('stall-lock', dir, 'x', 'x');
    await readyOf(child);
    expect((await readdir(dir)).includes('index.json.lock')).toBe(true);
    await killed(child);
    await writeTestImage(transport.parseReference(`${dir}:after`), makeTestImage({ salt: 'after' }));
    await expectSound(dir, ['after']);
  });

  it('gc removes unreferenced blobs and what killed writers left', { timeout: 60_000 }, async () => {
    const dir = join(await tempDir(), 'layout');
    await writeTestImage(transport.parseReference(`${dir}:a`), makeTestImage({ salt: 'a' }));
    await writeTestImage(transport.parseReference(`${dir}:b`), makeTestImage({ salt: 'b' }));
    const child = spawnWriter('stall-blob', dir, 'killed', 'k');
    await readyOf(child);
    await killed(child);
    await using layout = await openLayout(dir);
    const withB = await layout.listBlobs();
    const first = await layout.gc();
    expect(first.removedTemps.some((p) => p.includes('.ferry-work-'))).toBe(true);
    expect(first.deletedBlobs).toEqual([]);
    await layout.deleteReference('b');
    const result = await layout.gc();
    // b's manifest, config and two layers
    expect(result.deletedBlobs.length).toBe(4);
    expect((await layout.listBlobs()).length).toBe(withB.length - 4);
    await expectSound(dir, ['a']);
  });
});
