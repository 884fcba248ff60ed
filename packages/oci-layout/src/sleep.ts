import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms` milliseconds; an abort of `signal` surfaces as `signal.reason`. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  try {
    await delay(ms, undefined, signal === undefined ? {} : { signal });
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    throw error;
  }
}
