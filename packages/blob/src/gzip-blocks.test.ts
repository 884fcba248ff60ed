import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressStream } from './index.ts';
import { runTool } from './test-support/cli.ts';
import { chunked, collect, sampleBytes, streamOf, trackedSource } from './test-support/tracked-source.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const gzip = (bytes: Uint8Array, size: number, level = 1): Promise<Buffer> =>
  collect(compressStream(streamOf(...chunked(bytes, size)), 'gzip', { level }));

describe('gzip compression in blocks', () => {
  it('writes one member that gzip reads back exactly, whatever the cut between blocks', async () => {
    for (const length of [0, 1, 512 * KiB, 1 * MiB, 2 * MiB + 12_345]) {
      const data = sampleBytes(length, length + 3);
      const packed = await gzip(data, 100_003);
      expect(Buffer.compare(runTool('gzip', ['-d', '-c', '-q'], packed), data), `length ${length}`).toBe(0);
      // one member: the size in the trailer is the whole input's
      expect(packed.readUInt32LE(packed.byteLength - 4)).toBe(length);
    }
  });

  it('primes each block with the end of the previous one, so matches across a cut are kept', async () => {
    const pattern = randomBytes(16 * KiB);
    const data = Buffer.concat(Array.from({ length: 128 }, () => pattern)); // 2 MiB, four blocks
    const packed = await gzip(data, 64 * KiB);
    expect(Buffer.compare(gunzipSync(packed), data)).toBe(0);
    // as one stream does; unprimed, each block starts with 16 KiB of literals and the output doubles
    const single = gzipSync(data, { level: 1, memLevel: 9 }).byteLength;
    expect(packed.byteLength).toBeLessThan(single * 1.02);
  });

  it('compresses as well as one zlib stream at the same level, within 0.5 %', async () => {
    const data = sampleBytes(3 * MiB, 11);
    for (const level of [1, 6]) {
      const blocks = await gzip(data, 256 * KiB, level);
      const single = gzipSync(data, { level, memLevel: 9 });
      expect(Math.abs(blocks.byteLength / single.byteLength - 1), `level ${level}`).toBeLessThan(0.005);
    }
  });

  it('reads ahead only a few blocks and closes the source when the consumer leaves', async () => {
    const source = trackedSource(chunked(sampleBytes(16 * MiB, 5), 256 * KiB));
    let seen = 0;
    for await (const chunk of compressStream(source, 'gzip', { level: 1 })) {
      expect(chunk.byteLength).toBeGreaterThan(0);
      if (++seen === 2) break; // the header, then the first block
    }
    expect(source.closed).toBe(true);
    // two blocks of 512 KiB in flight and one being filled: 6 chunks of 256 KiB, of 64
    expect(source.pulled).toBeLessThanOrEqual(8);
  });

  it('surfaces an abort as signal.reason, also while the source hangs, and closes the source', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const source = trackedSource(chunked(sampleBytes(4 * MiB, 9), 128 * KiB));
    const error = await (async () => {
      for await (const _ of compressStream(source, 'gzip', { signal: controller.signal })) controller.abort(reason);
    })().catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(source.closed).toBe(true);

    const hanging: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<Uint8Array>>(() => {}) }),
    };
    const late = new AbortController();
    const reading = collect(compressStream(hanging, 'gzip', { signal: late.signal }));
    setTimeout(() => late.abort(reason), 20);
    await expect(reading).rejects.toBe(reason);
  });
});
