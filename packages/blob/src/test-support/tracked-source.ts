import { Buffer } from 'node:buffer';

/** A source that records how it was consumed: whether it was closed early, and how many chunks were pulled. */
export interface TrackedSource extends AsyncIterable<Uint8Array> {
  readonly pulled: number;
  readonly closed: boolean;
  readonly finished: boolean;
}

/** Yields `chunks` (then throws `failWith`, if given), tracking pulls and `return()`. */
export function trackedSource(chunks: readonly Uint8Array[], failWith?: unknown): TrackedSource {
  const state = { pulled: 0, closed: false, finished: false };
  async function* run(): AsyncGenerator<Uint8Array, void, undefined> {
    let completed = false;
    try {
      for (const chunk of chunks) {
        state.pulled++;
        yield chunk;
      }
      if (failWith !== undefined) throw failWith;
      completed = true;
    } finally {
      if (completed) state.finished = true;
      else if (failWith === undefined || state.pulled < chunks.length) state.closed = true;
    }
  }
  return {
    [Symbol.asyncIterator]: run,
    get pulled() {
      return state.pulled;
    },
    get closed() {
      return state.closed;
    },
    get finished() {
      return state.finished;
    },
  };
}

/** Deterministic, somewhat compressible bytes. */
export function sampleBytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    // mostly text-like with some noise
    out[i] = (x & 7) === 0 ? x >>> 24 : 97 + ((x >>> 8) % 16);
  }
  return out;
}

/** Splits bytes into chunks of `size`. */
export function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** Reads a stream to the end into one buffer. */
export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

/** A stream from chunks, as a plain async generator. */
export async function* streamOf(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array, void, undefined> {
  for (const chunk of chunks) yield chunk;
}
