import type { FileHandle } from 'node:fs/promises';
import { ImageError } from '@ferry/types';

const CHUNK = 1024 * 1024;

/** Options of {@link readRange}. */
export interface ReadRangeOptions {
  readonly signal?: AbortSignal;
  /** Names what is read, for error messages. */
  readonly label: string;
  /** Tells whether the handle's owner closed it, so reads stop with a clear error. */
  readonly isClosed: () => boolean;
}

/** Streams `length` bytes of a file from `position` with positional reads, in fresh chunks of up to 1 MiB. */
export async function* readRange(
  handle: FileHandle,
  position: number,
  length: number,
  options: ReadRangeOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  let at = position;
  const end = position + length;
  while (at < end) {
    options.signal?.throwIfAborted();
    if (options.isClosed()) throw new ImageError('ERR_INVALID_ARGUMENT', `${options.label}: the archive is closed`);
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, end - at));
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, at));
    } catch (cause) {
      options.signal?.throwIfAborted();
      throw new ImageError('ERR_IO', `reading ${options.label} at offset ${at}`, { cause });
    }
    if (bytesRead === 0) throw new ImageError('ERR_INVALID_IMAGE', `${options.label} is cut short at offset ${at}`);
    at += bytesRead;
    yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
  }
  options.signal?.throwIfAborted();
}
