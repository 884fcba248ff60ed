import { describe, expect, it } from 'vitest';
import { UploadFeeder } from './upload-feeder.ts';

async function* pieces(count: number, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) yield new Uint8Array(size).fill(i);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of stream) out.push(...chunk);
  return out;
}

describe('UploadFeeder', () => {
  it('never drops bytes read ahead but not handed out, whatever the window', async () => {
    const feeder = new UploadFeeder(pieces(10, 4), undefined, 1);
    await feeder.fill(40);
    expect(feeder.done).toBe(false);
    expect(await collect(feeder.bytesFrom(0, 8))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('replays from any offset still in the window, and refuses older ones as transient', async () => {
    const feeder = new UploadFeeder(pieces(10, 4), undefined, 8);
    expect((await collect(feeder.bytesFrom(0, undefined))).length).toBe(40);
    expect(feeder.done).toBe(true);
    expect(feeder.oldestKept).toBeGreaterThanOrEqual(40 - 8 - 4);
    expect(await collect(feeder.bytesFrom(34, undefined))).toEqual([8, 8, 9, 9, 9, 9]);
    const error = await collect(feeder.bytesFrom(0, undefined)).catch((e: unknown) => e);
    expect((error as { transient?: boolean }).transient).toBe(true);
  });

  it('stops at `end` and goes on from there in a later stream', async () => {
    const feeder = new UploadFeeder(pieces(3, 5), undefined, 100);
    expect(await collect(feeder.bytesFrom(0, 7))).toEqual([0, 0, 0, 0, 0, 1, 1]);
    expect(await collect(feeder.bytesFrom(7, undefined))).toEqual([1, 1, 1, 2, 2, 2, 2, 2]);
    expect(feeder.size).toBe(15);
  });
});
