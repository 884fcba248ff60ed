import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { spoolTar } from './index.ts';
import { bytesOf, gnuTar, sameBytes, sampleFiles, tempDir, writeSampleTree } from './test-support/fixtures.ts';

async function sampleTar(dir: string): Promise<string> {
  await writeSampleTree(join(dir, 'root'));
  await gnuTar(join(dir, 'root'), join(dir, 'x.tar'), 'gnu');
  return join(dir, 'x.tar');
}

describe('spoolTar', () => {
  it('spools a pipe from a child process once, indexes it, and removes the temp file on dispose', async () => {
    await using dir = await tempDir();
    await using spool = await tempDir();
    const path = await sampleTar(dir.path);
    const child = spawn('cat', [path], { stdio: ['ignore', 'pipe', 'inherit'] });
    {
      await using archive = await spoolTar(child.stdout, { dir: spool.path });
      expect(await readdir(spool.path)).toHaveLength(1);
      const big = sampleFiles().get('big/layer.tar');
      expect(sameBytes(await archive.readMember('big/layer.tar', 1e8), big)).toBe(true);
    }
    expect(await readdir(spool.path)).toHaveLength(0);
  });

  it('decompresses a gzip-compressed tar while spooling', async () => {
    await using dir = await tempDir();
    await using spool = await tempDir();
    const gz = Readable.from([await readFile(await sampleTar(dir.path))]).pipe(createGzip());
    await using archive = await spoolTar(gz, { dir: spool.path });
    const layer = await archive.readMember('ID/layer.tar', 1e8);
    expect(sameBytes(layer, sampleFiles().get('big/layer.tar'))).toBe(true);
    expect(archive.get('manifest.json')?.size).toBe(sampleFiles().get('manifest.json')?.length);
  });

  it('removes the temp file when the input is not a valid tar, or corrupt gzip', async () => {
    await using spool = await tempDir();
    await expect(spoolTar(Readable.from([bytesOf(5000)]), { dir: spool.path })).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_INVALID_IMAGE'),
    );
    const corrupt = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, ...bytesOf(100)]);
    await expect(spoolTar(Readable.from([corrupt]), { dir: spool.path })).rejects.toSatisfy((e) => isImageError(e));
    expect(await readdir(spool.path)).toHaveLength(0);
  });

  it('an abort while the pipe is silent rejects with signal.reason and removes the temp file', async () => {
    await using spool = await tempDir();
    const silent = new Readable({ read() {} });
    silent.push(new Uint8Array(600));
    const controller = new AbortController();
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 20);
    await expect(spoolTar(silent, { dir: spool.path, signal: controller.signal })).rejects.toBe(reason);
    expect(await readdir(spool.path)).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    expect(silent.destroyed).toBe(true);
  });
});
