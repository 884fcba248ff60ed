import { verifyStream } from '@ferry/blob';
import type { ByteStream, CallOptions, PutBlobInfo, StoredBlob } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import type { BlobSink } from './staging-file.ts';

// writes are gathered into blocks this large (decompressors hand out 64 KiB chunks); small enough that six
// layers at once stay well inside the memory budget
const WRITE_BLOCK = 256 * 1024;

/**
 * Streams a blob into `sink`, verifying `info.digest` and `info.size` while the bytes pass and computing the
 * digest and size. Bytes are handed on in 256 KiB blocks; the next block fills while the last one is written.
 * The stream is owned: read to its end or closed. Cleaning up the sink after a failure is the caller's.
 *
 * @throws {@link ImageError} `ERR_DIGEST_MISMATCH`, `ERR_SIZE_MISMATCH`, `ERR_IO`, the stream's own error; an
 * abort throws `signal.reason`.
 */
export async function streamIntoSink(
  stream: ByteStream,
  info: PutBlobInfo,
  sink: BlobSink,
  options: CallOptions = {},
): Promise<StoredBlob> {
  const { signal } = options;
  let started = false;
  try {
    signal?.throwIfAborted();
    const verified = verifyStream(stream, {
      ...(info.digest !== undefined && { digest: info.digest }),
      ...(info.size !== undefined && { size: info.size }),
      ...(signal !== undefined && { signal }),
      what: `blob ${info.digest ?? '(digest unknown)'}`,
    });
    started = true;
    await copyInto(verified, sink, signal);
    if (verified.result === undefined) throw new ImageError('ERR_IO', 'a blob stream ended without a result');
    return verified.result;
  } catch (error) {
    // once iterated, verifyStream closed the source itself
    if (!started) closeStream(stream);
    if (signal?.aborted === true && !isImageError(error, 'ERR_DIGEST_MISMATCH')) throw signal.reason;
    throw error;
  }
}

async function copyInto(source: ByteStream, sink: BlobSink, signal: AbortSignal | undefined): Promise<void> {
  // two blocks take turns: one fills while the other is being written (fresh memory costs page faults)
  let block = Buffer.allocUnsafe(WRITE_BLOCK);
  let spare = Buffer.allocUnsafe(WRITE_BLOCK);
  let filled = 0;
  let pending: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    // only one write is in flight: the sink sees its writes one after another
    await pending;
    pending = sink.write(block.subarray(0, filled));
    [block, spare] = [spare, block];
    filled = 0;
  };
  try {
    for await (const chunk of source) {
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
    if (filled > 0) await flush();
  } finally {
    await pending.catch(() => undefined);
  }
  await pending;
}

function closeStream(stream: ByteStream): void {
  // not awaited: a generator stuck in next() would queue return() behind it
  stream[Symbol.asyncIterator]()
    .return?.()
    ?.catch(() => undefined);
}
