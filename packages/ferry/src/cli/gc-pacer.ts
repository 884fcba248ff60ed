import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Runs a full garbage collection every `intervalMs` while a copy streams, and returns the function that
 * stops it. A copy allocates a fresh buffer for every chunk it reads, inflates or compresses (hundreds of
 * MiB per image); V8 frees those backing stores only after external memory grew by about 64 MiB since its
 * last collection, which alone would push peak RSS past the 128 MB budget. With the tiny JavaScript heap of
 * a copy, a full collection costs a millisecond or two, so pacing it keeps RSS flat for ~1-2 % CPU.
 * The CLI uses this; the library never touches the process's GC.
 */
export function startGcPacer(intervalMs = 100): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  if (typeof gc !== 'function') return () => {};
  const timer = setInterval(() => (gc as () => void)(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
