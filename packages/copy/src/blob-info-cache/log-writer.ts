import { appendLines } from './cache-log.ts';
import type { CacheRecord } from './cache-record.ts';
import type { CacheStateLimits } from './cache-state.ts';
import { compactLog } from './compact-log.ts';

/** Appends lines to the log in batches, compacting it when it grows too large. */
export interface LogWriter {
  /** The log, or `undefined` once writing to it failed (from then on lines are dropped). */
  readonly path: string | undefined;
  /** Queues one encoded line; resolves once its batch is written or given up. Never rejects. */
  append(line: string): Promise<void>;
  /** Resolves once every queued line is written or given up. Never rejects. */
  flush(): Promise<void>;
}

/** How a {@link LogWriter} keeps the log bounded. */
export interface LogWriterOptions {
  /** Bounds of what a compaction keeps. */
  readonly limits: CacheStateLimits;
  /** Past this size the log is compacted to half of it. */
  readonly maxFileBytes: number;
  /** This process's facts, merged into a compaction. */
  readonly ownRecords: () => CacheRecord[];
}

/**
 * Creates a {@link LogWriter} for `path` (`undefined`: a writer that drops everything). Lines queued while a
 * batch is being written go together into the next batch.
 */
export function createLogWriter(path: string | undefined, options: LogWriterOptions): LogWriter {
  let target = path;
  let pending: string[] = [];
  let waiters: (() => void)[] = [];
  let running: Promise<void> | undefined;
  let compactAt = options.maxFileBytes;

  const write = async (file: string, lines: string[]): Promise<void> => {
    let size: number;
    try {
      size = await appendLines(file, lines);
    } catch {
      target = undefined; // an unwritable cache only loses speed
      return;
    }
    if (size <= compactAt) return;
    const limits = { ...options.limits, targetBytes: options.maxFileBytes / 2 };
    const compacted = await compactLog(file, limits, options.ownRecords()).catch(() => false);
    // when another process is compacting, or it failed, try again only after some more growth
    compactAt = compacted ? options.maxFileBytes : size + options.maxFileBytes / 4;
  };

  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const lines = pending;
      const done = waiters;
      pending = [];
      waiters = [];
      if (target !== undefined) await write(target, lines);
      for (const resolve of done) resolve();
    }
    running = undefined;
  };

  return {
    get path() {
      return target;
    },
    append(line) {
      if (target === undefined) return Promise.resolve();
      pending.push(line);
      const written = new Promise<void>((resolve) => waiters.push(resolve));
      running ??= drain();
      return written;
    },
    async flush() {
      while (running !== undefined) await running;
    },
  };
}
