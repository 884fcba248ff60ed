import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options?: { type?: 'minor' | 'major' }) => void;

/**
 * Collects garbage during a copy whenever external memory (buffer backing stores) has grown by more than
 * `thresholdBytes` since the last collection, checking every `intervalMs`; returns the function that stops
 * it. A copy allocates a fresh buffer for every chunk it reads, inflates or compresses (hundreds of MiB per
 * image), and V8 frees those backing stores only after external memory grew by about 64 MiB since its last
 * collection, which alone would push peak RSS past the 128 MB budget. A young-generation collection frees
 * short-lived chunks for about a millisecond; a full one runs only when that was not enough. Measuring growth
 * from what the last collection left (not from zero) keeps buffers that are legitimately in flight (upload
 * chunks, read-ahead) from making it collect on every beat. The CLI uses this; the library never touches the
 * process's GC.
 */
export function startGcPacer(thresholdBytes: number = 8 * 1024 * 1024, intervalMs: number = 50): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  if (typeof gc !== 'function') return () => {};
  const collect = gc as Collect;
  const external = (): number => getHeapStatistics().external_memory;
  let baseline = external();
  let settling = false;
  const timer = setInterval(() => {
    if (settling) return;
    const now = external();
    // the baseline follows memory down, so a burst of buffers in flight does not raise it for good
    if (now < baseline) baseline = now;
    if (now <= baseline + thresholdBytes) return;
    collect({ type: 'minor' });
    // V8 frees the collected backing stores on a background thread: right after the minor collection external
    // memory has not dropped yet (measured 12.9 MiB before and after, 4.3 MiB a tick later), and judging it then
    // ran a full collection on every beat, 11–13 per pull instead of 2–5
    settling = true;
    setImmediate(() => {
      const full = external() > baseline + thresholdBytes;
      if (full) collect();
      // and after a full collection too: measured right after one, external memory still counted the freed
      // stores, the baseline ratcheted up (to 34–43 MiB on a gzip copy) and garbage piled up above it
      setTimeout(
        () => {
          settling = false;
          baseline = external();
        },
        full ? 5 : 0,
      );
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
