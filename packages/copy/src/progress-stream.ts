import type { ByteStream } from '@ferry/types';

/** Receives the total bytes read so far and the bytes since the last call. */
export type ReadReporter = (offset: number, delta: number) => void;

/**
 * Passes a stream through unchanged (no copies), calling `report` at most every `interval` ms with the
 * bytes read so far. `flush` reports what is left unreported; call it once the stream ended.
 */
export function countingStream(
  source: ByteStream,
  interval: number,
  report: ReadReporter,
): { readonly stream: ByteStream; readonly flush: () => number } {
  let offset = 0;
  let reported = 0;
  let last = Date.now();
  const flush = (): number => {
    if (offset > reported) report(offset, offset - reported);
    reported = offset;
    return offset;
  };
  const stream: ByteStream = {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const inner = source[Symbol.asyncIterator]();
      return {
        async next(): Promise<IteratorResult<Uint8Array>> {
          const step = await inner.next();
          if (step.done !== true) {
            offset += step.value.byteLength;
            const now = Date.now();
            if (now - last >= interval) {
              last = now;
              flush();
            }
          }
          return step;
        },
        async return(): Promise<IteratorResult<Uint8Array>> {
          await inner.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { stream, flush };
}

/**
 * A stream whose closing the caller controls: {@link OwnedStream.close} `return()`s the underlying chain
 * whether or not the receiver started (or finished) iterating it, so a `putBlob` that fails early cannot
 * leave a source stream open.
 */
export class OwnedStream implements AsyncIterable<Uint8Array> {
  readonly #source: ByteStream;
  #iterator: AsyncIterator<Uint8Array> | undefined;
  #ended = false;
  constructor(source: ByteStream) {
    this.#source = source;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#iterator !== undefined) throw new TypeError('this stream can be iterated only once');
    const inner = this.#source[Symbol.asyncIterator]();
    this.#iterator = inner;
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        try {
          const step = await inner.next();
          if (step.done === true) this.#ended = true;
          return step;
        } catch (error) {
          this.#ended = true; // a failed chain has closed itself
          throw error;
        }
      },
      return: async (): Promise<IteratorResult<Uint8Array>> => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** Closes the chain unless it ended; safe to call more than once. */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    const iterator = this.#iterator ?? this.#source[Symbol.asyncIterator]();
    this.#iterator = iterator;
    await iterator.return?.();
  }
}
