import type { FileHandle } from 'node:fs/promises';
import type { ByteStream } from '@ferry/types';
import { asLayoutError } from './fs-error.ts';

/** Which bytes of a file to stream. */
export interface FileStreamOptions {
  /** First byte. @default 0 */
  readonly start?: number;
  /** Number of bytes; absent means to the end. */
  readonly length?: number;
  /** Stops the stream; an abort surfaces as `signal.reason`. */
  readonly signal?: AbortSignal;
  /** What is read, for error messages. */
  readonly what: string;
}

/**
 * Streams an open file. The stream owns `handle`: it is closed at the end, on an error, and when the
 * consumer calls `return()` (even before the first `next()`).
 */
export function fileStream(handle: FileHandle, options: FileStreamOptions): ByteStream {
  const start = options.start ?? 0;
  const end = options.length === undefined ? undefined : start + options.length - 1;
  if (end !== undefined && end < start) {
    void handle.close();
    return { [Symbol.asyncIterator]: () => emptyIterator() };
  }
  // half a MiB per read: large enough for throughput, small enough that six parallel blobs stay in budget
  const readable = handle.createReadStream({ start, ...(end !== undefined && { end }), highWaterMark: 1 << 19 });
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const inner = readable[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
      const { signal, what } = options;
      return {
        async next() {
          try {
            signal?.throwIfAborted();
            return await inner.next();
          } catch (error) {
            readable.destroy();
            throw asLayoutError(error, `reading ${what}`, signal);
          }
        },
        async return() {
          readable.destroy();
          await inner.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

function emptyIterator(): AsyncIterator<Uint8Array> {
  return { next: async () => ({ done: true, value: undefined }) };
}
