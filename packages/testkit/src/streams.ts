import type { ByteStream } from '@ferry/types';

/**
 * Reads a whole stream into memory. For tests only: blobs are never buffered in library code.
 * @example
 * ```ts
 * const { stream } = await source.getBlob({ digest });
 * expect(await collectBytes(stream)).toEqual(expected);
 * ```
 */
export async function collectBytes(stream: ByteStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * A stream of `bytes` in chunks of `chunkSize` (the whole at once by default). Each chunk is a fresh copy and
 * is yielded after a macrotask, so concurrent writers really interleave.
 * @example
 * ```ts
 * await dest.putBlob(streamOf(layer.bytes, 1024), { digest: layer.digest, size: layer.size });
 * ```
 */
export async function* streamOf(
  bytes: Uint8Array,
  chunkSize: number = Math.max(1, bytes.byteLength),
): AsyncGenerator<Uint8Array, void, undefined> {
  if (!(Number.isSafeInteger(chunkSize) && chunkSize > 0)) throw new RangeError(`chunk size ${chunkSize} is not > 0`);
  for (let at = 0; at < bytes.byteLength; at += chunkSize) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    yield bytes.slice(at, at + chunkSize);
  }
}

/**
 * A stream that yields the first `afterBytes` bytes of `bytes` and then throws `error`, as a network connection
 * that drops midway does.
 * @example
 * ```ts
 * const boom = new Error('connection reset');
 * await expect(dest.putBlob(failingStream(bytes, 10, boom), info)).rejects.toBe(boom);
 * ```
 */
export async function* failingStream(
  bytes: Uint8Array,
  afterBytes: number,
  error: unknown,
): AsyncGenerator<Uint8Array, never, undefined> {
  const head = bytes.subarray(0, Math.min(afterBytes, bytes.byteLength));
  const half = Math.ceil(head.byteLength / 2);
  // two chunks, so the receiver has written something before the failure
  if (half > 0) yield head.slice(0, half);
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (head.byteLength > half) yield head.slice(half);
  throw error;
}

/**
 * A deterministic pseudo-random stream of `size` bytes (xorshift from `seed`), for large blobs that are never
 * held in memory. The same `size` and `seed` always give the same bytes, whatever the chunk size (which is
 * rounded up to a multiple of 4).
 * @example
 * ```ts
 * const { digest } = await digestOfStream(pseudoRandomStream(32 << 20, 7));
 * ```
 */
export async function* pseudoRandomStream(
  size: number,
  seed: number,
  chunkSize: number = 1 << 20,
): AsyncGenerator<Uint8Array, void, undefined> {
  let state = seed >>> 0 || 1;
  // whole 32-bit words per chunk, so the bytes do not depend on the chunk size
  const step = Math.max(4, Math.ceil(chunkSize / 4) * 4);
  for (let at = 0; at < size; at += step) {
    const chunk = new Uint8Array(Math.min(step, size - at));
    const words = new Uint32Array(chunk.buffer, 0, chunk.byteLength >>> 2);
    for (let i = 0; i < words.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      words[i] = state >>> 0;
    }
    for (let i = words.length * 4; i < chunk.byteLength; i++) chunk[i] = (at + i) & 0xff;
    await new Promise<void>((resolve) => setImmediate(resolve));
    yield chunk;
  }
}
