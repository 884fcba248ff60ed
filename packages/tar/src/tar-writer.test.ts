import { createWriteStream } from 'node:fs';
import { open, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { createTarWriter, indexTarFile } from './index.ts';
import { memberHeader } from './member-header.ts';
import { parsePaxRecords } from './pax.ts';
import { parseHeader } from './tar-header.ts';
import { bytesOf, run, sameBytes, tempDir } from './test-support/fixtures.ts';

const LONG_SPLIT = `${'p'.repeat(120)}/${'n'.repeat(90)}`;
const LONG_PAX = `${'q'.repeat(130)}/${'r'.repeat(140)}.tar`;
const BIG = bytesOf(2 * 1024 * 1024 + 3, 7);

async function writeSample(path: string): Promise<void> {
  const tar = createTarWriter(createWriteStream(path));
  await tar.addDirectory('dir');
  await tar.addBytes('dir/manifest.json', new TextEncoder().encode('{"a":1}'));
  await tar.addBytes('empty', new Uint8Array(0));
  await tar.addFile('big.tar', BIG.length, Readable.from([BIG.subarray(0, 1000), BIG.subarray(1000)]));
  await tar.addBytes(LONG_SPLIT, bytesOf(10, 1));
  await tar.addBytes(LONG_PAX, bytesOf(700, 2));
  await tar.addSymlink('ID/layer.tar', '../big.tar');
  await tar.finish();
}

describe('createTarWriter', () => {
  it('writes archives GNU tar lists and extracts byte-exact', async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'out.tar');
    await writeSample(path);
    const { stdout } = await run('/usr/bin/tar', ['-tvf', path]);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 dir\/$/);
    expect(lines[1]).toMatch(/^-r--r--r-- 0\/0 +7 1970-01-01 00:00 dir\/manifest.json$/);
    expect(lines[5]).toContain(LONG_PAX);
    expect(lines[6]).toMatch(/ID\/layer.tar -> ..\/big.tar$/);
    const out = join(dir.path, 'x');
    await run('/usr/bin/mkdir', [out]);
    await run('/usr/bin/tar', ['-xf', path, '-C', out]);
    expect(sameBytes(await readFile(join(out, 'big.tar')), BIG)).toBe(true);
    expect(sameBytes(await readFile(join(out, LONG_PAX)), bytesOf(700, 2))).toBe(true);
    expect(sameBytes(await readFile(join(out, LONG_SPLIT)), bytesOf(10, 1))).toBe(true);
    expect(await readFile(join(out, 'empty'))).toHaveLength(0);
    expect(await readlink(join(out, 'ID/layer.tar'))).toBe('../big.tar');
  });

  it('round-trips through indexTarFile, and is deterministic', async () => {
    await using dir = await tempDir();
    await writeSample(join(dir.path, 'a.tar'));
    await writeSample(join(dir.path, 'b.tar'));
    expect(sameBytes(await readFile(join(dir.path, 'a.tar')), await readFile(join(dir.path, 'b.tar')))).toBe(true);
    await using archive = await indexTarFile(join(dir.path, 'a.tar'));
    expect(archive.entries.map((e) => e.name)).toEqual([
      'dir',
      'dir/manifest.json',
      'empty',
      'big.tar',
      LONG_SPLIT,
      LONG_PAX,
      'ID/layer.tar',
    ]);
    expect(archive.resolve('ID/layer.tar')).toMatchObject({ name: 'big.tar', size: BIG.length, mode: 0o444, mtime: 0 });
  });

  it('uses the ustar prefix when a long name fits it, pax records otherwise and for sizes past 8 GiB', () => {
    const split = memberHeader({ name: LONG_SPLIT, typeflag: '0', size: 1, mode: 0o444, mtime: 0 });
    expect(split).toHaveLength(512);
    expect(parseHeader(split, 'test').name).toBe(LONG_SPLIT);
    const huge = 9 * 1024 ** 3;
    const pax = memberHeader({ name: LONG_PAX, typeflag: '0', size: huge, mode: 0o444, mtime: 0 });
    expect(parseHeader(pax, 'test').typeflag).toBe('x');
    const records = parsePaxRecords(pax.subarray(512, 512 + parseHeader(pax, 'test').size), 'test');
    expect(records.get('path')).toBe(LONG_PAX);
    expect(records.get('size')).toBe(String(huge));
  });

  it('fails with ERR_SIZE_MISMATCH on short and long streams, then refuses further use', async () => {
    for (const [declared, actual] of [
      [10, 9],
      [10, 11],
    ] as const) {
      await using dir = await tempDir();
      const handle = await open(join(dir.path, 'x.tar'), 'w');
      try {
        const tar = createTarWriter(handle);
        await expect(tar.addFile('f', declared, Readable.from([bytesOf(actual)]))).rejects.toSatisfy((e) =>
          isImageError(e, 'ERR_SIZE_MISMATCH'),
        );
        await expect(tar.addBytes('g', new Uint8Array(1))).rejects.toSatisfy((e) =>
          isImageError(e, 'ERR_INVALID_ARGUMENT'),
        );
        await expect(tar.finish()).rejects.toSatisfy((e) => isImageError(e, 'ERR_INVALID_ARGUMENT'));
      } finally {
        await handle.close();
      }
    }
  });

  it('refuses a concurrent add, unsafe names, and respects backpressure on a slow Writable', async () => {
    const sink = new PassThrough({ highWaterMark: 1024 });
    const tar = createTarWriter(sink);
    const first = tar.addFile('a', BIG.length, Readable.from([BIG]));
    await expect(tar.addBytes('b', new Uint8Array(1))).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_INVALID_ARGUMENT'),
    );
    let settled = false;
    void first.then(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false); // nobody reads the sink, so the writer waits
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    await first;
    expect(tar.bytesWritten).toBe(512 + Math.ceil(BIG.length / 512) * 512);
    for (const bad of ['../x', '/abs', '.', 'a\0b']) {
      const t = createTarWriter(new PassThrough());
      await expect(t.addBytes(bad, new Uint8Array(1))).rejects.toSatisfy((e) =>
        isImageError(e, 'ERR_INVALID_ARGUMENT'),
      );
    }
  });

  it('an abort stops addFile with signal.reason and closes the stream', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const tar = createTarWriter(new PassThrough(), { signal: controller.signal });
    const silent = new Readable({ read() {} }); // a pipe that goes quiet after one chunk
    silent.push(new Uint8Array(10));
    const pending = tar.addFile('a', 100, silent);
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);
    await new Promise((r) => setImmediate(r));
    expect(silent.destroyed).toBe(true);
    await expect(tar.finish()).rejects.toSatisfy((e) => isImageError(e, 'ERR_INVALID_ARGUMENT'));
  });
});
