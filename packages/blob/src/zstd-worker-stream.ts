import { Buffer } from 'node:buffer';
import type { CallOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';
import type { ZstdWorkerReply } from './zstd-worker-main.ts';
import type { ZstdChannel } from './zstd-worker-pool.ts';
import { openZstdChannel } from './zstd-worker-pool.ts';

// input goes to the worker in pieces of at most this size, in buffers the stream owns and reuses
const PIECE_SIZE = 256 * 1024;
// pieces in the worker at once: one being compressed, the next ones queued so the worker never waits on us
const PIECES_IN_FLIGHT = 3;
// compressed chunks (≤ 128 KiB each) held for a slow consumer before the source is no longer read
const MAX_QUEUED_OUTPUTS = 4;

/** Settings of one zstd compression worker. */
export interface ZstdWorkerSettings {
  readonly level: number;
  readonly windowLog: number;
}

/**
 * Compresses `input` to one zstd frame in a pooled `worker_threads` Worker, so the native compression
 * (about 130 MB/s at level 3) leaves the main thread free to read, hash and write, and streams compress on
 * as many cores as the pool has workers. Memory stays bounded: at most {@link PIECES_IN_FLIGHT} input pieces are in the
 * worker and at most {@link MAX_QUEUED_OUTPUTS} compressed chunks wait for the consumer before reading stops.
 *
 * The stream leaves its worker on every exit (end, early `return()`, abort, error), and the last stream to
 * leave a worker terminates it; `input` is closed unless it ended or failed. Source errors and aborts pass through unchanged; zstd and worker failures are `ERR_IO`.
 */
export async function* compressInWorker(
  input: AsyncIterator<Uint8Array>,
  settings: ZstdWorkerSettings,
  { signal }: CallOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  let sourceDone = false;
  let channel: ZstdChannel | undefined;
  let wake = (): void => {};
  const onAbort = (): void => wake();
  try {
    signal?.throwIfAborted();
    signal?.addEventListener('abort', onAbort, { once: true });
    const outputs: Uint8Array[] = [];
    const free: ArrayBuffer[] = [];
    let unallocated = PIECES_IN_FLIGHT;
    let carry: Uint8Array = new Uint8Array(0);
    let reading = false;
    let endPosted = false;
    let ended = false;
    let failure: { readonly error: unknown } | undefined;
    const fail = (error: unknown): void => {
      failure ??= { error };
      wake();
    };
    const onReply = (reply: ZstdWorkerReply): void => {
      if (reply.kind === 'output')
        outputs.push(Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength));
      else if (reply.kind === 'consumed') free.push(reply.buffer);
      else if (reply.kind === 'end') ended = true;
      else fail(new ImageError('ERR_IO', 'zstd compression failed', { cause: reply.error }));
      wake();
    };
    const open = openZstdChannel(onReply, fail);
    channel = open;
    open.post({ kind: 'open', id: open.id, ...settings });
    const startRead = (): void => {
      reading = true;
      input.next().then(
        (step) => {
          reading = false;
          if (step.done === true) sourceDone = true;
          else carry = step.value;
          wake();
        },
        (error: unknown) => {
          reading = false;
          sourceDone = true; // a failed source needs no return()
          fail(error);
        },
      );
    };
    for (;;) {
      signal?.throwIfAborted();
      if (failure !== undefined) throw failure.error;
      while (carry.byteLength > 0 && (free.length > 0 || unallocated > 0)) {
        let buffer = free.pop();
        if (buffer === undefined) {
          buffer = new ArrayBuffer(PIECE_SIZE);
          unallocated--;
        }
        const length = Math.min(carry.byteLength, PIECE_SIZE);
        new Uint8Array(buffer).set(carry.subarray(0, length));
        carry = carry.subarray(length);
        open.post({ kind: 'chunk', id: open.id, buffer, length }, [buffer]);
      }
      const canSend = free.length > 0 || unallocated > 0;
      if (carry.byteLength === 0 && !sourceDone && !reading && canSend && outputs.length < MAX_QUEUED_OUTPUTS) {
        startRead();
      }
      if (sourceDone && carry.byteLength === 0 && !endPosted) {
        open.post({ kind: 'end', id: open.id });
        endPosted = true;
      }
      const next = outputs.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (ended) return;
      // only while we wait for it may the worker keep the process alive (not while a consumer holds us)
      open.setWaiting(true);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      open.setWaiting(false);
      wake = () => {};
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await channel?.close();
    // not after a pending read: closing the source is what may end a read that hangs
    if (!sourceDone) await input.return?.()?.catch(() => undefined);
  }
}
