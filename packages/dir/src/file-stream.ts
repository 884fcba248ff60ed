import type { FileHandle } from 'node:fs/promises';
import type { ByteStream } from '@ferry/types';

const CHUNK = 1 << 20;

/**
 * A stream of `length` bytes of an open file from `offset`, read with positional reads. It owns `handle`:
 * reaching the end, an error or `return()` closes it. An abort of `signal` surfaces as `signal.reason`.
 */
export function fileRangeStream(
  handle: FileHandle,
  offset: number,
  length: number,
  signal: AbortSignal | undefined,
): ByteStream {
  let used = false;
  return {
    [Symbol.asyncIterator]: () => {
      if (used) throw new Error('a file stream can be iterated only once');
      used = true;
      return new FileRangeIterator(handle, offset, length, signal);
    },
  };
}

// A class rather than an async generator: return() must close the file even before the first next().
class FileRangeIterator implements AsyncIterator<Uint8Array> {
  readonly #handle: FileHandle;
  readonly #signal: AbortSignal | undefined;
  #position: number;
  #remaining: number;
  #closed = false;
  constructor(handle: FileHandle, offset: number, length: number, signal: AbortSignal | undefined) {
    this.#handle = handle;
    this.#position = offset;
    this.#remaining = length;
    this.#signal = signal;
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (this.#closed) return { done: true, value: undefined };
    try {
      this.#signal?.throwIfAborted();
      if (this.#remaining === 0) {
        await this.#close();
        return { done: true, value: undefined };
      }
      const buffer = new Uint8Array(Math.min(CHUNK, this.#remaining));
      const { bytesRead } = await this.#handle.read(buffer, 0, buffer.byteLength, this.#position);
      this.#signal?.throwIfAborted();
      // a file shrunk under us ends early; the caller's size check reports it
      if (bytesRead === 0) {
        await this.#close();
        return { done: true, value: undefined };
      }
      this.#position += bytesRead;
      this.#remaining -= bytesRead;
      return { done: false, value: buffer.subarray(0, bytesRead) };
    } catch (error) {
      await this.#close().catch(() => undefined);
      throw error;
    }
  }

  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    await this.#close();
    return { done: true, value: undefined };
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }
}
