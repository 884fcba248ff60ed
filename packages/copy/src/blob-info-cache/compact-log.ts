import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { appendLines, readLog } from './cache-log.ts';
import { type CacheRecord, encodeRecord } from './cache-record.ts';
import { type CacheStateLimits, createCacheState } from './cache-state.ts';
import { tryLock } from './lock-file.ts';

/** What a compaction keeps. */
export interface CompactionLimits extends CacheStateLimits {
  /** The size the rewritten file may take at most: the newest records that fit are kept. */
  readonly targetBytes: number;
}

/**
 * Rewrites the log at `path` with only its newest facts (plus `extra`, this process's own), beside it and
 * renamed over it, under the lock file `path.lock`. Returns `false`, changing nothing, when another process
 * holds the lock. Records appended by others while it runs are carried over, except those landing in the
 * instant between the last read and the rename (a cache may lose the odd record, never its file).
 */
export async function compactLog(
  path: string,
  limits: CompactionLimits,
  extra: readonly CacheRecord[],
): Promise<boolean> {
  const unlock = await tryLock(`${path}.lock`);
  if (unlock === undefined) return false;
  try {
    const { records, end } = await readLog(path, 0);
    const state = createCacheState(limits);
    for (const record of records) state.apply(record);
    for (const record of extra) state.apply(record);
    const kept = newestThatFit(state.records(), limits.targetBytes);
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const file = await open(temporary, 'wx', 0o600);
      try {
        await file.writeFile(kept.join(''));
        await file.datasync(); // the rename must never publish an empty file after a power cut
      } finally {
        await file.close();
      }
      const tail = await readLog(path, end);
      if (tail.records.length > 0) await appendLines(temporary, tail.records.map(encodeRecord));
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
    return true;
  } finally {
    await unlock();
  }
}

/** Encodes the newest records whose lines fit in `budget` bytes, oldest first. */
function newestThatFit(records: CacheRecord[], budget: number): string[] {
  records.sort((a, b) => b.time - a.time);
  const lines: string[] = [];
  let used = 0;
  for (const record of records) {
    const line = encodeRecord(record);
    used += Buffer.byteLength(line, 'utf8');
    if (used > budget) break;
    lines.push(line);
  }
  return lines.reverse();
}
