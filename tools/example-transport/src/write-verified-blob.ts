import { createHash } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import type { ByteStream, PutBlobInfo, StoredBlob } from '@ferry/types';
import { digestAlgorithm, ImageError, parseDigest } from '@ferry/types';
import { failure } from './errors.ts';

/**
 * Streams a blob into a new file `file`, hashing and counting the bytes as they pass, and checks them
 * against `info`. On any failure (the stream throws, a size or digest mismatch, an abort) it deletes the
 * file, so nothing of a refused blob remains, and throws; an abort throws `signal.reason` itself.
 */
export async function writeVerifiedBlob(
  stream: ByteStream,
  info: PutBlobInfo,
  file: string,
  signal?: AbortSignal,
): Promise<StoredBlob> {
  let handle: FileHandle | undefined;
  let reading = false;
  try {
    signal?.throwIfAborted();
    handle = await open(file, 'wx');
    reading = true;
    const stored = await copyVerified(stream, info, handle, signal);
    await handle.sync();
    return stored;
  } catch (error) {
    // receiving a stream means owning it: release it when it was never read
    if (!reading) await stream[Symbol.asyncIterator]().return?.();
    await handle?.close().catch(() => {});
    handle = undefined;
    await rm(file, { force: true });
    throw failure(error, signal, `cannot store blob ${info.digest ?? ''} in ${file}`);
  } finally {
    await handle?.close();
  }
}

async function copyVerified(
  stream: ByteStream,
  info: PutBlobInfo,
  handle: FileHandle,
  signal: AbortSignal | undefined,
): Promise<StoredBlob> {
  const algorithm = info.digest === undefined ? 'sha256' : digestAlgorithm(info.digest);
  const hash = createHash(algorithm);
  let size = 0;
  // throwing inside `for await` calls the stream's `return()`, which releases it
  for await (const chunk of stream) {
    signal?.throwIfAborted();
    size += chunk.byteLength;
    // a source may lie about the size: stop as soon as the stream is longer than promised
    if (info.size !== undefined && size > info.size) throw sizeMismatch(info.size, size);
    hash.update(chunk);
    for (let at = 0; at < chunk.byteLength; ) {
      at += (await handle.write(chunk, at, chunk.byteLength - at)).bytesWritten;
    }
  }
  signal?.throwIfAborted();
  if (info.size !== undefined && size !== info.size) throw sizeMismatch(info.size, size);
  const digest = parseDigest(`${algorithm}:${hash.digest('hex')}`);
  if (info.digest !== undefined && digest !== info.digest) {
    throw new ImageError('ERR_DIGEST_MISMATCH', `blob expected to be ${info.digest} hashes to ${digest}`);
  }
  return { digest, size };
}

function sizeMismatch(expected: number, got: number): ImageError {
  const gave = got > expected ? `more (${got} so far)` : `${got}`;
  return new ImageError('ERR_SIZE_MISMATCH', `blob expected to be ${expected} bytes: the stream gave ${gave}`);
}
