import { setMaxListeners } from 'node:events';
/**
 * Runs tasks concurrently with a signal that aborts the others as soon as one fails, waits until every task
 * settled (so no stream stays open), and rethrows the first failure (the caller's `signal.reason` when it
 * was the caller who aborted).
 */
export async function runAll<T>(
  tasks: readonly ((signal: AbortSignal) => Promise<T>)[],
  signal: AbortSignal | undefined,
): Promise<T[]> {
  signal?.throwIfAborted();
  const controller = new AbortController();
  // every task (a 60-layer image has 60) listens on this signal while it waits or streams: not a leak
  setMaxListeners(Math.max(10, tasks.length * 4), controller.signal);
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const settled = await Promise.allSettled(
      tasks.map((task) =>
        task(controller.signal).catch((error: unknown) => {
          if (!controller.signal.aborted) controller.abort(error);
          throw error;
        }),
      ),
    );
    if (controller.signal.aborted) throw controller.signal.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
