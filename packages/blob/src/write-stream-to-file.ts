import type { FileHandle } from 'node:fs/promises';
import type { ByteStream, CallOptions } from '@ferry/types';

/** Options of {@link writeStreamToFile}. */
export interface WriteStreamToFileOptions extends CallOptions {
  /**
   * Chunks are gathered into writes of at least this many bytes.
   * @default 1 MiB
   */
  readonly batchBytes?: number;
}

const DEFAULT_BATCH = 1024 * 1024;

/**
 * Writes a stream to an open file from its current position: small chunks (a network stream brings ~64 KiB
 * at a time) are gathered into vectored writes of about a MiB, and one write is in flight while the next
 * chunks are read, so neither the disk nor the stream waits for the other. Reads the stream to its end;
 * on failure the stream is closed. Returns the bytes written.
 * @example
 * ```ts
 * const handle = await open(temp, 'wx');
 * await writeStreamToFile(handle, verified, { signal });
 * ```
 */
export async function writeStreamToFile(
  handle: FileHandle,
  stream: ByteStream,
  options: WriteStreamToFileOptions = {},
): Promise<number> {
  const batchBytes = options.batchBytes ?? DEFAULT_BATCH;
  let pending: Promise<void> = Promise.resolve();
  let batch: Uint8Array[] = [];
  let batched = 0;
  let total = 0;
  const flush = async (): Promise<void> => {
    const chunks = batch;
    batch = [];
    batched = 0;
    await pending;
    pending = writeAllv(handle, chunks);
    // a failed write surfaces at the next flush or at the end; meanwhile it must not be unhandled
    pending.catch(() => undefined);
  };
  const iterator = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      const step = await iterator.next();
      if (step.done === true) break;
      options.signal?.throwIfAborted();
      batch.push(step.value);
      batched += step.value.byteLength;
      total += step.value.byteLength;
      if (batched >= batchBytes) await flush();
    }
    if (batched > 0) await flush();
    await pending;
    return total;
  } catch (error) {
    await iterator.return?.().catch(() => undefined);
    await pending.catch(() => undefined);
    throw error;
  }
}

// writev may write less than asked (rarely, for regular files): the rest goes again
async function writeAllv(handle: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let rest = chunks;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest);
    let skip = bytesWritten;
    const next: Uint8Array[] = [];
    for (const chunk of rest) {
      if (skip >= chunk.byteLength) {
        skip -= chunk.byteLength;
        continue;
      }
      next.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
    if (bytesWritten === 0 && next.length > 0) throw new Error('the file accepted no bytes');
    rest = next;
  }
}
