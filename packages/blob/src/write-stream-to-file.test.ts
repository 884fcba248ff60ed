import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeStreamToFile } from './index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-write-stream-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* chunks(sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let n = 0;
  for (const size of sizes) {
    const chunk = new Uint8Array(size);
    for (let i = 0; i < size; i++) chunk[i] = (n++ * 7) & 0xff;
    yield chunk;
  }
}

function expected(total: number): Uint8Array {
  const out = new Uint8Array(total);
  for (let i = 0; i < total; i++) out[i] = (i * 7) & 0xff;
  return out;
}

describe('writeStreamToFile', () => {
  it('writes every byte in order, whatever the chunk sizes and the batch size', async () => {
    for (const [sizes, batch] of [
      [[1, 2, 3, 65536, 7, 1 << 20, 5], 1 << 20],
      [[10, 10, 10], 4],
      [[], 1024],
      [[3 << 20], 1024],
    ] as const) {
      const path = join(dir, `f-${batch}-${sizes.length}`);
      const handle = await open(path, 'wx');
      const written = await writeStreamToFile(handle, chunks(sizes), { batchBytes: batch });
      await handle.close();
      const total = sizes.reduce((a, b) => a + b, 0);
      expect(written).toBe(total);
      expect(Buffer.from(await readFile(path)).equals(Buffer.from(expected(total)))).toBe(true);
    }
  });

  it('closes the stream and rethrows when a write fails', async () => {
    const path = join(dir, 'ro');
    await (await open(path, 'w')).close();
    const handle = await open(path, 'r');
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < 100; i++) yield new Uint8Array(64 * 1024);
      } finally {
        closed = true;
      }
    }
    await expect(writeStreamToFile(handle, source(), { batchBytes: 1024 })).rejects.toThrow();
    await handle.close();
    expect(closed).toBe(true);
  });

  it('rejects with the abort reason', async () => {
    const handle = await open(join(dir, 'abort'), 'wx');
    const controller = new AbortController();
    const reason = new Error('stop');
    async function* source(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(10);
      controller.abort(reason);
      yield new Uint8Array(10);
    }
    await expect(writeStreamToFile(handle, source(), { signal: controller.signal })).rejects.toBe(reason);
    await handle.close();
  });
});
