import { randomUUID } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decompressStream, peekCompression } from '@ferry/blob';
import type { ByteStream, CallOptions } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import { abortable, closeSource } from './abortable.ts';
import { indexOpenTar } from './index-tar-file.ts';
import type { TarArchive } from './tar-archive.ts';

/** Options of {@link spoolTar}. */
export interface SpoolTarOptions extends CallOptions {
  /** Where the temp file goes. @default os.tmpdir() */
  readonly dir?: string;
}

// writes are gathered into blocks this large: pipes deliver 64 KiB chunks
const WRITE_BLOCK = 1024 * 1024;

/**
 * Copies a non-seekable tar stream (a pipe, `docker save | …`) once into a temp file and indexes it. A
 * gzip- or zstd-compressed tar is decompressed while spooling. The temp file is removed when the returned
 * archive is disposed, and on any failure. The stream is owned: it is read to the end or closed.
 *
 * @throws {@link ImageError} as `indexTarFile`; `ERR_CORRUPT_COMPRESSED_DATA` for bad compressed input;
 * `ERR_IO` when the temp file cannot be written; an abort throws `signal.reason`.
 * @example
 * ```ts
 * await using archive = await spoolTar(process.stdin, { signal });
 * console.log(archive.entries.map((e) => e.name));
 * ```
 */
export async function spoolTar(stream: ByteStream, options: SpoolTarOptions = {}): Promise<TarArchive> {
  const { signal } = options;
  const path = join(options.dir ?? tmpdir(), `ferry-spool-${randomUUID()}.tar`);
  const remove = (): Promise<void> => rm(path, { force: true });
  let handle: FileHandle | undefined;
  try {
    signal?.throwIfAborted();
    try {
      handle = await open(path, 'wx+', 0o600);
    } catch (cause) {
      throw new ImageError('ERR_IO', `creating spool file ${path}`, { cause });
    }
    const peeked = await peekCompression(stream, options);
    const plain =
      peeked.compression === 'none' ? peeked.stream : decompressStream(peeked.stream, peeked.compression, options);
    await copyTo(plain, handle, path, signal);
  } catch (error) {
    closeSource(stream);
    await handle?.close().catch(() => undefined);
    await remove().catch(() => undefined);
    if (signal?.aborted === true && !isImageError(error)) throw signal.reason;
    throw error;
  }
  return indexOpenTar(handle, path, options, remove);
}

async function copyTo(source: ByteStream, handle: FileHandle, path: string, signal?: AbortSignal): Promise<void> {
  const block = Buffer.allocUnsafe(WRITE_BLOCK);
  let filled = 0;
  let position = 0;
  const flush = async (): Promise<void> => {
    let written = 0;
    while (written < filled) {
      try {
        written += (await handle.write(block, written, filled - written, position + written)).bytesWritten;
      } catch (cause) {
        throw new ImageError('ERR_IO', `writing spool file ${path}`, { cause });
      }
    }
    position += filled;
    filled = 0;
  };
  for await (const chunk of abortable(source, signal)) {
    signal?.throwIfAborted();
    let at = 0;
    while (at < chunk.byteLength) {
      const n = Math.min(chunk.byteLength - at, WRITE_BLOCK - filled);
      block.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === WRITE_BLOCK) await flush();
    }
  }
  signal?.throwIfAborted();
  await flush();
}
