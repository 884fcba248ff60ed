import { createHash } from 'node:crypto';
import type { Digest } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { createDigester, digestBytes, verifyStream } from './index.ts';
import { chunked, collect, sampleBytes, trackedSource } from './test-support/tracked-source.ts';

const data = sampleBytes(100_000);
const sha256 = digestBytes(data);
const sha512 = digestBytes(data, 'sha512');

describe('verifyStream', () => {
  it('passes the same chunk objects through and reports digest and size', async () => {
    const chunks = chunked(data, 4096);
    const verified = verifyStream(trackedSource(chunks), { digest: sha256, size: data.byteLength });
    expect(verified.result).toBeUndefined();
    const seen: Uint8Array[] = [];
    for await (const chunk of verified) seen.push(chunk);
    expect(seen).toHaveLength(chunks.length);
    for (const [i, chunk] of seen.entries()) expect(chunk).toBe(chunks[i]);
    expect(verified.result).toEqual({ digest: sha256, size: data.byteLength });
  });

  it('hashes with sha512 when the expected digest is sha512', async () => {
    const verified = verifyStream(trackedSource(chunked(data, 999)), { digest: sha512 });
    await collect(verified);
    expect(verified.result?.digest).toBe(sha512);
  });

  it('computes a digest when none is expected, with the chosen algorithm', async () => {
    const verified = verifyStream(trackedSource(chunked(data, 1000)), { algorithm: 'sha512' });
    await collect(verified);
    expect(verified.result).toEqual({ digest: sha512, size: data.byteLength });
    const plain = verifyStream(trackedSource([]));
    await collect(plain);
    expect(plain.result).toEqual({ digest: `sha256:${createHash('sha256').digest('hex')}`, size: 0 });
  });

  it('fails with ERR_DIGEST_MISMATCH naming both digests', async () => {
    const wrong = `sha256:${'0'.repeat(64)}` as Digest;
    const verified = verifyStream(trackedSource(chunked(data, 4096)), { digest: wrong, what: 'layer x' });
    const error = await collect(verified).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_DIGEST_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain(wrong);
    expect((error as Error).message).toContain(sha256);
    expect((error as Error).message).toContain('layer x');
    expect(verified.result).toBeUndefined();
  });

  it('fails with ERR_SIZE_MISMATCH as soon as the stream is longer than expected, and closes it', async () => {
    const source = trackedSource(chunked(data, 1000)); // 100 chunks
    const verified = verifyStream(source, { size: 2500 });
    let passed = 0;
    const error = await (async () => {
      for await (const chunk of verified) passed += chunk.byteLength;
    })().catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_SIZE_MISMATCH')).toBe(true);
    expect(passed).toBe(2000); // the third chunk, which crosses the limit, is not passed on
    expect(source.pulled).toBe(3);
    expect(source.closed).toBe(true);
  });

  it('fails with ERR_SIZE_MISMATCH at the end of a short stream', async () => {
    const verified = verifyStream(trackedSource(chunked(data, 4096)), { size: data.byteLength + 1, digest: sha256 });
    await expect(collect(verified)).rejects.toSatisfy((e: unknown) => isImageError(e, 'ERR_SIZE_MISMATCH'));
  });

  it('closes the source when the consumer leaves early, even before the first chunk', async () => {
    const source = trackedSource(chunked(data, 1000));
    for await (const _ of verifyStream(source)) break;
    expect(source.closed).toBe(true);

    const unread = trackedSource(chunked(data, 1000));
    let opened = false;
    const lazy: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]() {
        opened = true;
        return unread[Symbol.asyncIterator]();
      },
    };
    const iterator = verifyStream(lazy)[Symbol.asyncIterator]();
    await iterator.return?.();
    expect(opened).toBe(true);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('passes source errors through unchanged', async () => {
    const boom = new Error('boom');
    const verified = verifyStream(trackedSource(chunked(data, 50_000), boom));
    await expect(collect(verified)).rejects.toBe(boom);
  });

  it('surfaces an abort as signal.reason and closes the source', async () => {
    const controller = new AbortController();
    const source = trackedSource(chunked(data, 1000));
    const reason = new Error('stop');
    const error = await (async () => {
      for await (const _ of verifyStream(source, { signal: controller.signal })) controller.abort(reason);
    })().catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(source.closed).toBe(true);
    expect(source.pulled).toBe(1);
  });

  it('can be iterated only once and rejects a bad size', () => {
    const verified = verifyStream(trackedSource([]));
    verified[Symbol.asyncIterator]();
    expect(() => verified[Symbol.asyncIterator]()).toThrow(/only once/);
    expect(() => verifyStream(trackedSource([]), { size: -1 })).toThrow(/non-negative/);
  });
});

describe('createDigester', () => {
  it('matches digestBytes and counts bytes', () => {
    const d = createDigester('sha512');
    for (const chunk of chunked(data, 777)) d.update(chunk);
    expect(d.size).toBe(data.byteLength);
    expect(d.finish()).toEqual({ digest: sha512, size: data.byteLength });
    expect(createDigester().algorithm).toBe('sha256');
  });
});

describe('createDigester misuse', () => {
  it('refuses updates and a second finish after finishing', () => {
    const d = createDigester();
    d.update(data);
    d.finish();
    expect(() => d.finish()).toThrow(/already finished/);
    expect(() => d.update(data)).toThrow(/already finished/);
  });
});
