import { Buffer } from 'node:buffer';
import { gzipSync } from 'node:zlib';
import { isImageError } from '@ferry/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecFor, compressStream, decompressStream } from './index.ts';
import { runTool } from './test-support/cli.ts';
import { chunked, collect, sampleBytes, streamOf, trackedSource } from './test-support/tracked-source.ts';

const data = sampleBytes(300_000);
const isCorrupt = (e: unknown): boolean => isImageError(e, 'ERR_CORRUPT_COMPRESSED_DATA');

describe.each(['gzip', 'zstd'] as const)('%s', (algorithm) => {
  const tool = algorithm === 'gzip' ? 'gzip' : 'zstd';
  const compressOf = async (bytes: Uint8Array, level?: number): Promise<Buffer> =>
    collect(compressStream(streamOf(...chunked(bytes, 10_000)), algorithm, level === undefined ? {} : { level }));

  it('round-trips with the command line tool both ways', async () => {
    const ours = await compressOf(data);
    expect(ours.byteLength).toBeLessThan(data.byteLength);
    expect(Buffer.compare(runTool(tool, ['-d', '-c', '-q'], ours), data)).toBe(0);
    const theirs = runTool(tool, ['-c', '-q'], data);
    const back = await collect(decompressStream(streamOf(...chunked(theirs, 777)), algorithm));
    expect(Buffer.compare(back, data)).toBe(0);
  });

  it('round-trips any bytes in any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 700 }), async (bytes, size) => {
        const packed = await collect(compressStream(streamOf(...chunked(bytes, size)), algorithm));
        const back = await collect(decompressStream(streamOf(...chunked(packed, size)), algorithm));
        expect(Buffer.compare(back, bytes)).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('honours the level and rejects a bad one', async () => {
    const vocabulary = ['layer', 'image', 'manifest', 'digest', 'blob', 'registry', 'tag', 'config', 'index'];
    const noise = sampleBytes(60_000, 7);
    const words = Array.from(noise, (b, i) => `${vocabulary[b % 9]}${i % 3 === 0 ? b : ''} `).join('');
    const text = new TextEncoder().encode(words);
    const fast = await compressOf(text, 1);
    const best = await compressOf(text, algorithm === 'gzip' ? 9 : 19);
    expect(best.byteLength).toBeLessThan(fast.byteLength);
    expect(() => compressStream(streamOf(), algorithm, { level: 42 })).toThrow(/level 42/);
    try {
      compressStream(streamOf(), algorithm, { level: 1.5 });
      expect.unreachable();
    } catch (e) {
      expect(isImageError(e, 'ERR_INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('reads concatenated members or frames as one stream', async () => {
    const joined = Buffer.concat([await compressOf(data.subarray(0, 1000)), await compressOf(data.subarray(1000))]);
    expect(Buffer.compare(await collect(decompressStream(streamOf(joined), algorithm)), data)).toBe(0);
  });

  it('fails with ERR_CORRUPT_COMPRESSED_DATA on input cut short anywhere', async () => {
    const packed = await compressOf(data.subarray(0, 50_000));
    for (const cut of [1, 5, 20, packed.byteLength >> 1, packed.byteLength - 4, packed.byteLength - 1]) {
      const truncated = packed.subarray(0, cut);
      const error = await collect(decompressStream(streamOf(...chunked(truncated, 333)), algorithm)).catch(
        (e: unknown) => e,
      );
      expect(isCorrupt(error), `cut at ${cut}`).toBe(true);
      expect((error as Error).cause).toBeDefined();
    }
  });

  it('fails with ERR_CORRUPT_COMPRESSED_DATA on damaged or empty input', async () => {
    const packed = await compressOf(data.subarray(0, 50_000));
    const damaged = Buffer.from(packed);
    for (let i = 20; i < damaged.byteLength - 10; i += 97) damaged[i] = (damaged[i] as number) ^ 0x55;
    await expect(collect(decompressStream(streamOf(damaged), algorithm))).rejects.toSatisfy(isCorrupt);
    await expect(collect(decompressStream(streamOf(), algorithm))).rejects.toSatisfy(isCorrupt);
    const garbage = Buffer.concat([packed, Buffer.from('trailing garbage')]);
    await expect(collect(decompressStream(streamOf(garbage), algorithm))).rejects.toSatisfy(isCorrupt);
  });

  it('passes source errors through unchanged', async () => {
    const boom = new Error('network down');
    const packed = await compressOf(data);
    const source = trackedSource(chunked(packed.subarray(0, 20_000), 5000), boom);
    await expect(collect(decompressStream(source, algorithm))).rejects.toBe(boom);
    await expect(collect(compressStream(trackedSource([data], boom), algorithm))).rejects.toBe(boom);
  });

  it('closes the source when the consumer leaves early, and reads ahead only a little', async () => {
    const packed = await compressOf(sampleBytes(4_000_000));
    const source = trackedSource(chunked(packed, 4096));
    const total = Math.ceil(packed.byteLength / 4096);
    for await (const chunk of decompressStream(source, algorithm)) {
      expect(chunk.byteLength).toBeGreaterThan(0);
      break;
    }
    expect(source.closed).toBe(true);
    expect(source.pulled).toBeLessThan(Math.min(total, 40));
  });

  it('closes the source when abandoned before the first read', async () => {
    const source = trackedSource([data]);
    const iterator = decompressStream(source, algorithm)[Symbol.asyncIterator]();
    await iterator.return?.();
    expect(source.pulled).toBe(0);
  });

  it('surfaces an abort as signal.reason and closes the source', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const packed = await compressOf(sampleBytes(2_000_000));
    const source = trackedSource(chunked(packed, 8192));
    const error = await (async () => {
      for await (const _ of decompressStream(source, algorithm, { signal: controller.signal }))
        controller.abort(reason);
    })().catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(source.closed).toBe(true);
  });

  it('keeps output chunks bounded for highly compressed input', async () => {
    const zeros = new Uint8Array(64 * 1024 * 1024);
    const packed = await collect(compressStream(streamOf(zeros), algorithm, { level: 1 }));
    expect(packed.byteLength).toBeLessThan(zeros.byteLength / 100);
    let largest = 0;
    let total = 0;
    for await (const chunk of decompressStream(streamOf(packed), algorithm)) {
      largest = Math.max(largest, chunk.byteLength);
      total += chunk.byteLength;
    }
    expect(total).toBe(zeros.byteLength);
    expect(largest).toBeLessThanOrEqual(256 * 1024);
  });
});

describe('unsupported formats', () => {
  it('names bzip2 and xz but refuses to (de)compress them', () => {
    for (const algorithm of ['bzip2', 'xz'] as const) {
      for (const run of [() => decompressStream(streamOf(), algorithm), () => compressStream(streamOf(), algorithm)]) {
        expect(run).toThrow(algorithm);
        try {
          run();
        } catch (e) {
          expect(isImageError(e, 'ERR_UNSUPPORTED_COMPRESSION')).toBe(true);
        }
      }
    }
    expect(codecFor('gzip').algorithm).toBe('gzip');
    expect(codecFor('zstd').algorithm).toBe('zstd');
  });

  it('gzip accepts zero padding after the last member, as the gzip tool does', async () => {
    const padded = Buffer.concat([gzipSync(data), Buffer.alloc(512)]);
    expect(Buffer.compare(await collect(decompressStream(streamOf(padded), 'gzip')), data)).toBe(0);
  });
});
