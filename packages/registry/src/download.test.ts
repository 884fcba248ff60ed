import { createHash } from 'node:crypto';
import { pseudoRandomStream } from '@ferry/testkit';
import type { Digest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { dockerTransport } from './index.ts';
import { freshRepository, sharedRegistry } from './test-support/test-registry.ts';

const registry = sharedRegistry('http');
const transport = dockerTransport({ registry: { tlsVerify: false } });
const SIZE = 24 * 1024 * 1024;

async function pushBlob(): Promise<{ ref: ReturnType<typeof transport.parseReference>; digest: Digest }> {
  const hash = createHash('sha256');
  for await (const chunk of pseudoRandomStream(SIZE, 77)) hash.update(chunk);
  const digest = `sha256:${hash.digest('hex')}` as Digest;
  const ref = transport.parseReference(`//${(await registry()).host}/${freshRepository('download')}:v1`);
  await using dest = await ref.newImageDestination();
  await dest.putBlob(pseudoRandomStream(SIZE, 77), { digest, size: SIZE });
  return { ref, digest };
}

describe('blob downloads', () => {
  it('a stream closed before its first read frees its connection: the source closes at once', async () => {
    const { ref, digest } = await pushBlob();
    const source = await ref.newImageSource();
    const { stream, size } = await source.getBlob({ digest });
    expect(size).toBe(SIZE);
    await stream[Symbol.asyncIterator]().return?.();
    const started = Date.now();
    await source[Symbol.asyncDispose]();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads a range, and the whole blob, with the right bytes', async () => {
    const { ref, digest } = await pushBlob();
    await using source = await ref.newImageSource();
    const internal = source as unknown as {
      getBlobRange(
        info: { digest: Digest },
        range: { offset: number; length?: number },
      ): Promise<{ stream: AsyncIterable<Uint8Array> }>;
    };
    const { stream } = await internal.getBlobRange({ digest }, { offset: SIZE - 10, length: 10 });
    const tail: number[] = [];
    for await (const chunk of stream) tail.push(...chunk);
    const whole: Buffer[] = [];
    for await (const chunk of (await source.getBlob({ digest })).stream) whole.push(Buffer.from(chunk));
    const all = Buffer.concat(whole);
    expect(all.length).toBe(SIZE);
    expect(tail).toEqual([...all.subarray(SIZE - 10)]);
  });
});
