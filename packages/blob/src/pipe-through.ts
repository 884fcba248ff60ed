import type { Duplex } from 'node:stream';
import type { ByteStream, CallOptions } from '@ferry/types';
import { guardedStream } from './guarded-stream.ts';

/** Options of {@link pipeThrough}. */
export interface PipeThroughOptions extends CallOptions {
  /**
   * Turns an error raised by the transform itself into the error to throw (e.g. zlib's `Z_DATA_ERROR` into
   * `ERR_CORRUPT_COMPRESSED_DATA`). Errors of the source and aborts pass through unchanged.
   * @default the error as is
   */
  readonly mapError?: (error: unknown) => unknown;
}

/**
 * Runs a stream through a Node `Transform` (or any `Duplex`, made by `createTransform`), with backpressure both ways: the source is read
 * only while the transform accepts input, and the transform produces only as fast as the result is consumed.
 * This is how `node:zlib` streams (gzip today, zstd on Node ≥ 22.15) plug into Ferry's `AsyncIterable`s.
 *
 * Leaving the result early, an error on either side or an abort destroys the transform and closes the source.
 *
 * @example
 * ```ts
 * const plain = pipeThrough(layer, () => createGunzip(), { signal });
 * ```
 */
export function pipeThrough(
  source: ByteStream,
  createTransform: () => Duplex,
  options: PipeThroughOptions = {},
): ByteStream {
  // the transform is made only when iteration starts, so an unread result holds no native handle
  return guardedStream(source, (input) => run(input, createTransform, options));
}

async function* run(
  input: AsyncIterator<Uint8Array>,
  createTransform: () => Duplex,
  options: PipeThroughOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const { signal } = options;
  const transform = createTransform();
  const state: PumpState = { stopped: false, sourceEnded: false, sourceFailure: undefined };
  // errors are read through the async iterator below; this listener only keeps a late one from crashing
  transform.on('error', ignore);
  const onAbort = (): void => {
    transform.destroy(signal?.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    signal?.throwIfAborted();
    void pump(input, transform, state);
    for await (const chunk of transform) yield chunk as Uint8Array;
    finished = true;
  } catch (error) {
    if (state.sourceFailure !== undefined) throw state.sourceFailure.error;
    if (signal?.aborted === true) throw signal.reason;
    throw options.mapError === undefined ? error : options.mapError(error);
  } finally {
    state.stopped = true;
    signal?.removeEventListener('abort', onAbort);
    if (!finished) transform.destroy();
    if (!state.sourceEnded) await input.return?.()?.catch(ignore);
  }
}

interface PumpState {
  stopped: boolean;
  sourceEnded: boolean;
  sourceFailure: { readonly error: unknown } | undefined;
}

// Feeds the source into the transform, waiting for 'drain' whenever its input buffer is full.
async function pump(input: AsyncIterator<Uint8Array>, transform: Duplex, state: PumpState): Promise<void> {
  try {
    for (;;) {
      const step = await input.next();
      if (step.done === true) state.sourceEnded = true;
      if (state.stopped || transform.destroyed) return;
      if (step.done === true) break;
      if (!transform.write(step.value)) await drained(transform);
    }
    transform.end();
  } catch (error) {
    state.sourceEnded = true; // a failed source needs no return()
    if (state.stopped) return;
    state.sourceFailure = { error };
    transform.destroy(error as Error);
  }
}

function drained(stream: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

function ignore(): undefined {
  return undefined;
}
