import { ImageError } from '@ferry/types';

/**
 * A counting semaphore that limits how many blobs are copied at once. One instance may be shared by the
 * images of a list and by several copies, so a single limit spans them all.
 */
export interface Semaphore {
  /** The number of holders allowed at once. */
  readonly limit: number;
  /**
   * Waits for a free slot and returns the function that gives it back (call it exactly once). An abort
   * while waiting rejects with `signal.reason` and takes no slot.
   */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

interface Waiter {
  readonly grant: () => void;
  readonly signal: AbortSignal | undefined;
}

class CountingSemaphore implements Semaphore {
  readonly limit: number;
  #held = 0;
  readonly #waiters: Waiter[] = [];
  constructor(limit: number) {
    this.limit = limit;
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#held < this.limit) {
      this.#held++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at !== -1) this.#waiters.splice(at, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        signal,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.#releaser());
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      // the slot passes straight to the next waiter, so the count stays the same
      if (next === undefined) this.#held--;
      else next.grant();
    };
  }
}

/**
 * Creates a {@link Semaphore} allowing `limit` holders at once.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when `limit` is not a positive integer.
 * @example
 * ```ts
 * const semaphore = createSemaphore(4); // shared by two copies: at most 4 blobs in flight in total
 * await Promise.all([copyImage(policy, a, src, { semaphore }), copyImage(policy, b, src, { semaphore })]);
 * ```
 */
export function createSemaphore(limit: number): Semaphore {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `semaphore limit ${limit} is not a positive integer`);
  }
  return new CountingSemaphore(limit);
}
