import { Buffer } from 'node:buffer';
import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { zstdCodec } from './index.ts';
import { runTool } from './test-support/cli.ts';
import { chunked, collect, sampleBytes, streamOf, trackedSource } from './test-support/tracked-source.ts';

const codec = zstdCodec();

// worker threads of this process (vitest runs each test file in a process of its own)
function workerCount(): number {
  const report = process.report.getReport() as unknown as { workers: unknown[] };
  return report.workers.length;
}

async function settled(): Promise<void> {
  for (let i = 0; i < 50 && workerCount() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('zstd compression in a worker', () => {
  it('writes one frame with a checksum that the zstd tool reads, from chunks of any size', async () => {
    const data = sampleBytes(3_000_000, 5);
    // 700 kB chunks are split into the 256 KiB pieces the worker takes; 1-byte chunks are taken whole
    const packed = await collect(codec.compress(streamOf(...chunked(data, 700_000), data.subarray(0, 1))));
    expect(packed.readUInt32LE(0)).toBe(0xfd2fb528);
    expect(((packed[4] as number) >> 2) & 1).toBe(1); // Content_Checksum_flag
    const back = runTool('zstd', ['-d', '-c', '-q'], packed);
    expect(Buffer.compare(back, Buffer.concat([data, data.subarray(0, 1)]))).toBe(0);
    await settled();
    expect(workerCount()).toBe(0);
  });

  it('compresses many streams at once, each to its own correct frame', async () => {
    const inputs = Array.from({ length: 9 }, (_, i) => sampleBytes(200_000 + i * 150_000, i + 1));
    const packed = await Promise.all(
      inputs.map((bytes) => collect(codec.compress(streamOf(...chunked(bytes, 64_000))))),
    );
    const back = await Promise.all(packed.map((bytes) => collect(codec.decompress(streamOf(bytes)))));
    for (const [i, bytes] of back.entries()) expect(Buffer.compare(bytes, inputs[i] as Buffer), `stream ${i}`).toBe(0);
    await settled();
    expect(workerCount()).toBe(0);
  });

  it('stops its worker and closes the source on an abort mid-stream', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const source = trackedSource(chunked(sampleBytes(8_000_000, 3), 100_000));
    let chunks = 0;
    const error = await (async () => {
      for await (const _ of codec.compress(source, { signal: controller.signal })) {
        chunks++;
        controller.abort(reason);
      }
    })().catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(chunks).toBe(1);
    expect(source.closed).toBe(true);
    expect(source.pulled).toBeLessThan(20); // bounded read-ahead
    await settled();
    expect(workerCount()).toBe(0);
  });

  it('stops its worker and closes the source when the consumer leaves early', async () => {
    const source = trackedSource(chunked(sampleBytes(8_000_000, 4), 100_000));
    for await (const chunk of codec.compress(source)) {
      expect(chunk.byteLength).toBeGreaterThan(0);
      break;
    }
    expect(source.closed).toBe(true);
    await settled();
    expect(workerCount()).toBe(0);
  });

  it('passes a source error through unchanged and stops its worker', async () => {
    const boom = new Error('network down');
    const source = trackedSource(chunked(sampleBytes(2_000_000, 6), 100_000), boom);
    await expect(collect(codec.compress(source))).rejects.toBe(boom);
    expect(source.pulled).toBe(20);
    await settled();
    expect(workerCount()).toBe(0);
  });

  it('rejects an already aborted signal without starting a worker', async () => {
    const reason = new Error('too late');
    const source = trackedSource([sampleBytes(1000)]);
    const error = await collect(codec.compress(source, { signal: AbortSignal.abort(reason) })).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(source.pulled).toBe(0);
    expect(isImageError(error)).toBe(false);
    expect(workerCount()).toBe(0);
  });
});
