import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ByteStream, CallOptions, Digest, DigestAlgorithm } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import type { BlobDigest } from './digester.ts';
import { verifyStream } from './verify-stream.ts';
import { writeStreamToFile } from './write-stream-to-file.ts';

/** Options of {@link writeFileAtomic} and {@link writeBytesAtomic}. */
export interface WriteFileAtomicOptions extends CallOptions {
  /** Permission bits of the new file (the process umask applies). @default 0o644 */
  readonly mode?: number;
  /** The digest the bytes MUST hash to; the file is not published otherwise (`ERR_DIGEST_MISMATCH`). */
  readonly digest?: Digest;
  /** The number of bytes the stream MUST hold (`ERR_SIZE_MISMATCH`, raised as soon as it is exceeded). */
  readonly size?: number;
  /** The algorithm to hash with when no `digest` is given. @default 'sha256' */
  readonly algorithm?: DigestAlgorithm;
  /** What is being written, for error messages. @default 'blob' */
  readonly what?: string;
}

/**
 * Writes a stream to `target` so that readers see either the old file or the whole new one, never a part:
 * the bytes go to a temp file beside the target (`.<name>.<random>.tmp`), which is fsynced, renamed over the
 * target, and then the directory is fsynced. With `digest`/`size`, the bytes are verified while they are
 * written and the rename happens only if they match. On every failure (a stream error, a mismatch, an
 * abort, an I/O error) the temp file is removed and the stream closed.
 *
 * @returns The digest and size of what was written.
 * @throws {@link ImageError} `ERR_DIGEST_MISMATCH`, `ERR_SIZE_MISMATCH`, `ERR_IO` (with the system error as
 * `cause`), or an `ImageError` from the stream as is; an abort throws `signal.reason`.
 * @example
 * ```ts
 * const { digest, size } = await writeFileAtomic(`${dir}/blobs/sha256/${hex}`, stream, { digest, signal });
 * ```
 */
export async function writeFileAtomic(
  target: string,
  stream: ByteStream,
  options: WriteFileAtomicOptions = {},
): Promise<BlobDigest> {
  const { signal } = options;
  const directory = dirname(target);
  const temp = join(directory, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  let started = false;
  let renamed = false;
  try {
    signal?.throwIfAborted();
    handle = await open(temp, 'wx', options.mode ?? 0o644);
    started = true;
    const verified = verifyStream(stream, verifyOptions(options));
    await writeStreamToFile(handle, verified, options.signal === undefined ? {} : { signal: options.signal });
    const result = verified.result;
    if (result === undefined) throw new ImageError('ERR_IO', `writing ${target}: stream ended without a result`);
    await handle.sync();
    await handle.close();
    handle = undefined;
    // the last moment a caller can still stop the publication
    signal?.throwIfAborted();
    await rename(temp, target);
    renamed = true;
    await syncDirectory(directory);
    return result;
  } catch (error) {
    if (!started)
      await stream[Symbol.asyncIterator]()
        .return?.()
        ?.catch(() => undefined);
    await handle?.close().catch(() => undefined);
    if (!renamed) await rm(temp, { force: true }).catch(() => undefined);
    throw asWriteError(error, target, signal);
  }
}

/**
 * Writes bytes held in memory (a manifest, an index, a config) atomically, as {@link writeFileAtomic} does.
 *
 * @example
 * ```ts
 * await writeBytesAtomic(`${dir}/index.json`, new TextEncoder().encode(json), { signal });
 * ```
 */
export function writeBytesAtomic(
  target: string,
  bytes: Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<BlobDigest> {
  return writeFileAtomic(target, once(bytes), options);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array, void, undefined> {
  yield bytes;
}

function verifyOptions(options: WriteFileAtomicOptions): Parameters<typeof verifyStream>[1] {
  const { digest, size, algorithm, what, signal } = options;
  return {
    ...(digest === undefined ? {} : { digest }),
    ...(size === undefined ? {} : { size }),
    ...(algorithm === undefined ? {} : { algorithm }),
    ...(what === undefined ? {} : { what }),
    ...(signal === undefined ? {} : { signal }),
  };
}

// Makes the rename durable. Some platforms cannot open or fsync a directory; durability there is best effort.
async function syncDirectory(directory: string): Promise<void> {
  let dir: FileHandle | undefined;
  try {
    dir = await open(directory, 'r');
    await dir.sync();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw error;
  } finally {
    await dir?.close().catch(() => undefined);
  }
}

function asWriteError(error: unknown, target: string, signal: AbortSignal | undefined): unknown {
  if (isImageError(error)) return error;
  if (signal?.aborted === true && error === signal.reason) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new ImageError('ERR_IO', `writing ${target} failed: ${detail}`, { cause: error });
}
