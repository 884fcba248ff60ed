import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Collects garbage during a copy whenever more than `thresholdBytes` of external memory (buffer backing
 * stores) has piled up, checking every `intervalMs`; returns the function that stops it. A copy allocates a
 * fresh buffer for every chunk it reads, inflates or compresses (hundreds of MiB per image), and V8 frees
 * those backing stores only after external memory grew by about 64 MiB since its last collection, which
 * alone would push peak RSS past the 128 MB budget. Collecting only past the threshold (not on a fixed
 * beat) keeps the cost to the collections that free something. The CLI uses this; the library never
 * touches the process's GC.
 */
export function startGcPacer(thresholdBytes: number = 16 * 1024 * 1024, intervalMs: number = 50): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  if (typeof gc !== 'function') return () => {};
  const timer = setInterval(() => {
    if (getHeapStatistics().external_memory > thresholdBytes) (gc as () => void)();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
