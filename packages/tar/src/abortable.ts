import type { ByteStream } from '@ferry/types';

/**
 * Iterates a stream so that an abort ends the wait for the next chunk at once (a pipe may stay silent),
 * throwing `signal.reason`. The source is closed on every early exit.
 */
export async function* abortable(
  source: ByteStream,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  try {
    for (;;) {
      const step = await raceAbort(iterator.next(), signal);
      if (step.done === true) {
        ended = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!ended) closeSource(source, iterator);
  }
}

function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) {
      onAbort();
      promise.catch(() => undefined);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
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

/**
 * Closes a stream the caller owns without waiting: a Node stream is destroyed (its iterator's `return()`
 * would queue behind a pending `next()` on a silent pipe), any other iterable gets `return()`.
 */
export function closeSource(source: ByteStream, iterator?: AsyncIterator<Uint8Array>): void {
  const destroy = (source as { destroy?: unknown }).destroy;
  if (typeof destroy === 'function') destroy.call(source);
  void Promise.resolve()
    .then(() => (iterator ?? source[Symbol.asyncIterator]()).return?.())
    .catch(() => undefined);
}
