import type { ByteStream, CallOptions, CompressionAlgorithm } from '@ferry/types';
import { COMPRESSION_MAGIC_LENGTH, detectCompression } from './detect-compression.ts';

/** What {@link peekCompression} found. */
export interface PeekedStream {
  /** The detected compression, `'none'` when no magic matched. */
  readonly compression: CompressionAlgorithm | 'none';
  /** The whole stream again, the peeked bytes included. It now owns the source: read it or `return()` it. */
  readonly stream: ByteStream;
}

/**
 * Reads just enough of a stream to detect its compression, and returns the algorithm together with a stream
 * that still yields every byte, unchanged and in the same chunks. On failure or abort the source is closed.
 *
 * @example
 * ```ts
 * const { compression, stream: all } = await peekCompression(layer, { signal });
 * const plain = compression === 'none' ? all : decompressStream(all, compression, { signal });
 * ```
 */
export async function peekCompression(source: ByteStream, options: CallOptions = {}): Promise<PeekedStream> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  try {
    options.signal?.throwIfAborted();
    while (length < COMPRESSION_MAGIC_LENGTH) {
      const step = await iterator.next();
      options.signal?.throwIfAborted();
      if (step.done === true) {
        ended = true;
        break;
      }
      head.push(step.value);
      length += step.value.byteLength;
    }
  } catch (error) {
    if (!ended) await iterator.return?.()?.catch(() => undefined);
    throw error;
  }
  const first = head.length === 1 ? (head[0] as Uint8Array) : concat(head, length);
  return { compression: detectCompression(first), stream: new PrependedStream(head, iterator, ended) };
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

// Yields the buffered head, then the rest of the source; return() closes the source even before the first next().
class PrependedStream implements AsyncIterable<Uint8Array>, AsyncIterator<Uint8Array> {
  readonly #head: Uint8Array[];
  readonly #rest: AsyncIterator<Uint8Array>;
  /** Whether the source needs no return(): it ended, or was closed. */
  #finished: boolean;
  constructor(head: Uint8Array[], rest: AsyncIterator<Uint8Array>, restEnded: boolean) {
    this.#head = head;
    this.#rest = rest;
    this.#finished = restEnded;
  }
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }
  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    const first = this.#head.shift();
    if (first !== undefined) return { done: false, value: first };
    if (this.#finished) return { done: true, value: undefined };
    const step = await this.#rest.next();
    if (step.done !== true) return { done: false, value: step.value };
    this.#finished = true;
    return { done: true, value: undefined };
  }
  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.#head.length = 0;
    if (!this.#finished) {
      this.#finished = true;
      await this.#rest.return?.();
    }
    return { done: true, value: undefined };
  }
}
