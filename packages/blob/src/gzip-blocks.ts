import { Buffer } from 'node:buffer';
import { constants, crc32, deflateRaw } from 'node:zlib';
import type { CallOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';

/** Settings of {@link gzipInBlocks}. */
export interface GzipBlockSettings {
  /** zlib level, 0–9. */
  readonly level: number;
}

// 512 KiB blocks: large enough that the per-block cost (a zlib stream set up, 5 bytes of sync marker) is
// lost in the noise and the ratio matches one stream's to 0.1 %; small enough that a stream holds little
const BLOCK_SIZE = 512 * 1024;
// blocks of one stream being compressed at once: two, one per core of the benchmark machine; with two
// layers compressing, libuv's four threads are then all busy. A third per stream was no faster on the 630 MB
// image (7.2–8.0 s against 6.8–7.3 s) and held 2–3 MB more
const BLOCKS_IN_FLIGHT = 2;
// deflate looks back at most 32 KiB: the end of the previous block primes the next one's window
const WINDOW = 32 * 1024;
// zlib's largest hash table: faster and smaller output than the default (8) at levels 1–4 (measured 10–15 %
// less CPU and 1.3 % smaller at level 1), for 256 KiB more state per block
const MEM_LEVEL = 9;

/**
 * Compresses `input` to one gzip member the way pigz does: the input is cut into blocks, each block is
 * deflated on its own in libuv's thread pool (so one large layer keeps every core busy, not one), primed
 * with the previous block's last 32 KiB so matches across the cut are still found, and ended with a sync
 * flush so the raw outputs simply concatenate; the header and the CRC-32/size trailer wrap them. Any gzip
 * reader reads the result; it differs byte-wise from a one-stream zlib output.
 *
 * Memory stays bounded: at most {@link BLOCKS_IN_FLIGHT} blocks are being compressed, and the source is read
 * only while fewer are. Source errors and aborts pass through unchanged (pending blocks finish in the pool
 * and are dropped); the source is closed on every early exit.
 */
export async function* gzipInBlocks(
  input: AsyncIterator<Uint8Array>,
  { level }: GzipBlockSettings,
  { signal }: CallOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  let sourceDone = false;
  let reading = false;
  try {
    signal?.throwIfAborted();
    // the header of a member with no name, no mtime, made on Unix; XFL says "fastest" for levels 1 and 2
    yield Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level <= 2 ? 4 : level === 9 ? 2 : 0, 3]);
    const pending: Block[] = [];
    // input blocks come back here once deflated (zlib copies the priming 32 KiB when a block starts), so a
    // stream allocates only a handful however large it is: less garbage for the collector to chase
    const free: Buffer[] = [];
    let crc = 0;
    let size = 0;
    let block: Buffer = Buffer.allocUnsafe(BLOCK_SIZE);
    let filled = 0;
    let previous: Buffer | undefined;
    const submit = (bytes: Buffer, last: boolean): void => {
      const dictionary = previous?.subarray(previous.byteLength - WINDOW);
      pending.push({ input: bytes, output: deflateBlock(bytes, level, last, dictionary) });
      previous = bytes;
    };
    while (!sourceDone) {
      reading = true;
      const step = await untilAborted(input.next(), signal);
      reading = false;
      if (step.done === true) {
        sourceDone = true;
        break;
      }
      const chunk = step.value;
      crc = crc32(chunk, crc);
      size += chunk.byteLength;
      for (let at = 0; at < chunk.byteLength; ) {
        const taken = Math.min(BLOCK_SIZE - filled, chunk.byteLength - at);
        block.set(chunk.subarray(at, at + taken), filled);
        filled += taken;
        at += taken;
        if (filled < BLOCK_SIZE) continue;
        submit(block, false);
        block = free.pop() ?? Buffer.allocUnsafe(BLOCK_SIZE);
        filled = 0;
        while (pending.length >= BLOCKS_IN_FLIGHT) yield await next(pending, free, signal);
      }
    }
    submit(block.subarray(0, filled), true);
    while (pending.length > 0) yield await next(pending, [], signal);
    const trailer = Buffer.allocUnsafe(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(size % 2 ** 32, 4);
    yield trailer;
  } finally {
    // after an abort during a read, return() would wait for that read: the source hears the abort itself
    if (reading) void input.return?.()?.catch(() => undefined);
    else if (!sourceDone) await input.return?.()?.catch(() => undefined);
  }
}

function deflateBlock(bytes: Buffer, level: number, last: boolean, dictionary: Buffer | undefined): Promise<Buffer> {
  const settled = new Promise<Buffer>((resolve, reject) => {
    deflateRaw(
      bytes,
      {
        level,
        memLevel: MEM_LEVEL,
        // one output buffer holds a whole block even when it does not compress (stored blocks add 5 bytes
        // per 64 KiB): one round trip to the thread pool per block
        chunkSize: BLOCK_SIZE + 16 * 1024,
        finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
        ...(dictionary === undefined ? {} : { dictionary }),
      },
      (error, output) => {
        if (error === null) resolve(output);
        else reject(new ImageError('ERR_IO', 'gzip compression failed', { cause: error }));
      },
    );
  });
  // a block abandoned by an abort or a failed source must not surface as an unhandled rejection
  settled.catch(() => undefined);
  return settled;
}

interface Block {
  readonly input: Buffer;
  readonly output: Promise<Buffer>;
}

// the oldest block's output, once deflated; its input goes back to `free`
async function next(pending: Block[], free: Buffer[], signal: AbortSignal | undefined): Promise<Buffer> {
  const block = pending.shift() as Block;
  const output = await block.output;
  signal?.throwIfAborted();
  free.push(block.input);
  return output;
}

// `promise`, or signal.reason as soon as the signal aborts
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
