import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits `ms` milliseconds; an abort of `signal` ends the wait at once and surfaces as `signal.reason`.
 *
 * @example
 * ```ts
 * await abortableSleep(50, signal);
 * ```
 */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  try {
    await delay(ms, undefined, signal === undefined ? {} : { signal });
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    throw error;
  }
}
