import { PassThrough, Readable, Transform } from 'node:stream';
import { ImageError, isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { pipeThrough } from './index.ts';
import { chunked, collect, sampleBytes, trackedSource } from './test-support/tracked-source.ts';

const data = sampleBytes(1_000_000);

const invert = (bytes: Uint8Array): Buffer => Buffer.from(bytes.map((b) => b ^ 0xff));
const inverter = (): Transform =>
  new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, invert(chunk));
    },
  });

describe('pipeThrough', () => {
  it('runs every byte through the transform', async () => {
    const out = await collect(pipeThrough(trackedSource(chunked(data, 3000)), inverter));
    expect(Buffer.compare(out, invert(data))).toBe(0);
  });

  it('maps errors of the transform but not of the source', async () => {
    const failing = (): Transform =>
      new Transform({
        transform(_chunk, _encoding, callback) {
          callback(new Error('bad input'));
        },
      });
    const mapError = (cause: unknown): ImageError => new ImageError('ERR_CORRUPT_COMPRESSED_DATA', 'mapped', { cause });
    const mapped = await collect(pipeThrough(trackedSource([data]), failing, { mapError })).catch((e: unknown) => e);
    expect(isImageError(mapped, 'ERR_CORRUPT_COMPRESSED_DATA')).toBe(true);
    expect(((mapped as Error).cause as Error).message).toBe('bad input');

    const boom = new Error('source failed');
    await expect(collect(pipeThrough(trackedSource([data], boom), inverter, { mapError }))).rejects.toBe(boom);
  });

  it('applies backpressure: a slow consumer keeps the source from being read ahead', async () => {
    const source = trackedSource(chunked(data, 1000)); // 1000 chunks
    const iterator = pipeThrough(source, () => new PassThrough({ highWaterMark: 4096 }))[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(source.pulled).toBeLessThan(20);
    await iterator.return?.();
    expect(source.closed).toBe(true);
  });

  it('destroys a Node Readable source when the consumer leaves early', async () => {
    const readable = Readable.from(chunked(data, 1000), { objectMode: false });
    for await (const _ of pipeThrough(readable, inverter)) break;
    expect(readable.destroyed).toBe(true);
  });

  it('creates the transform only once iteration starts', async () => {
    let made = 0;
    const stream = pipeThrough(trackedSource([data]), () => {
      made++;
      return inverter();
    });
    expect(made).toBe(0);
    await stream[Symbol.asyncIterator]().return?.();
    expect(made).toBe(0);
  });

  it('surfaces an abort as signal.reason, even while waiting on the transform', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const stalled = (): Transform =>
      new Transform({
        transform() {
          // never calls back: the transform hangs
        },
      });
    const pending = collect(pipeThrough(trackedSource([data]), stalled, { signal: controller.signal }));
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);
  });
});
