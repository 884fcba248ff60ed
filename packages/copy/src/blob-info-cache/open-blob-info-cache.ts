import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BlobInfoCache } from '@ferry/types/internal';
import { MAX_WRITE_BYTES, readLog } from './cache-log.ts';
import { encodeRecord } from './cache-record.ts';
import { createCacheState } from './cache-state.ts';
import { defaultBlobInfoCachePath } from './default-path.ts';
import { createLogWriter } from './log-writer.ts';
import { blobInfoCacheOver, cacheStateLimits, type MemoryBlobInfoCacheOptions } from './memory-blob-info-cache.ts';

/** Options of {@link openBlobInfoCache}. */
export interface OpenBlobInfoCacheOptions extends MemoryBlobInfoCacheOptions {
  /**
   * The cache file.
   * @default defaultBlobInfoCachePath()
   */
  readonly path?: string;
  /**
   * Once the file grows past this many bytes it is compacted to at most half of it, keeping the newest facts.
   * @default 1 MiB
   */
  readonly maxFileBytes?: number;
  /** Aborts the opening (reading the file); the abort surfaces as `signal.reason`. */
  readonly signal?: AbortSignal;
}

/** A blob-info cache kept in a file shared by every Ferry process of the user. */
export interface PersistentBlobInfoCache extends BlobInfoCache, AsyncDisposable {
  /** The cache file, or `undefined` once the cache has fallen back to memory (unreadable or unwritable file). */
  readonly path: string | undefined;
  /** Waits until every record made so far is written (or given up). Never throws. */
  flush(): Promise<void>;
}

/** How often, at most, a lookup first reads what other processes appended to the file. */
export const REFRESH_INTERVAL_MS = 1000;

/** The default of {@link OpenBlobInfoCacheOptions.maxFileBytes}. */
// about 15,000 facts: opening reads it whole, so it is kept small enough to parse in ~20 ms
export const DEFAULT_MAX_CACHE_FILE_BYTES: number = 1024 * 1024;

/**
 * Opens the persistent blob-info cache (containers/image's `blobinfocache.DefaultCache`): an append-only log
 * of JSON lines, read whole on open (and what others appended, at most every second), that any number of Ferry processes append to at once, compacted beside
 * and renamed over when it grows past `maxFileBytes`. Its directory is created `0700` and the file `0600`.
 * It never throws, except an abort of `signal` while opening: a file that cannot be read or written only
 * makes the cache forget (it falls back to memory, silently). Dispose of it to wait for its last writes.
 *
 * @example
 * ```ts
 * await using cache = await openBlobInfoCache({ signal });
 * await copyImage(src, dest, { policy, blobInfoCache: cache, signal });
 * ```
 */
export async function openBlobInfoCache(options: OpenBlobInfoCacheOptions = {}): Promise<PersistentBlobInfoCache> {
  const { signal } = options;
  signal?.throwIfAborted();
  const limits = cacheStateLimits(options);
  const maxFileBytes = Math.max(2 * MAX_WRITE_BYTES, options.maxFileBytes ?? DEFAULT_MAX_CACHE_FILE_BYTES);
  const state = createCacheState(limits);
  let path: string | undefined;
  let read = { end: 0, ino: 0 }; // how far this process has read the file
  try {
    const wanted = options.path ?? defaultBlobInfoCachePath();
    await mkdir(dirname(wanted), { recursive: true, mode: 0o700 });
    const { records, end, ino } = await readLog(wanted, 0, signal);
    for (const record of records) state.apply(record);
    read = { end, ino };
    path = wanted;
  } catch {
    if (signal?.aborted) throw signal.reason;
    // an unusable file only costs speed: the cache lives in memory
  }

  const writer = createLogWriter(path, { limits, maxFileBytes, ownRecords: () => state.records() });
  let refreshedAt = Date.now();

  // what other processes recorded since: read now and then, before a lookup (re-reading our own records, and
  // a whole file replaced by a compaction, is harmless: applying a record twice changes nothing)
  const refresh = async (): Promise<void> => {
    const file = writer.path;
    if (file === undefined || Date.now() - refreshedAt < REFRESH_INTERVAL_MS) return;
    refreshedAt = Date.now();
    try {
      const { records, end, ino } = await readLog(file, (ino) => (ino === read.ino ? read.end : 0));
      for (const record of records) state.apply(record);
      read = { end, ino };
    } catch {
      // the next write finds out whether the file is still usable
    }
  };

  const cache = blobInfoCacheOver(state, (record) => writer.append(encodeRecord(record)));
  return {
    ...cache,
    uncompressedDigest: async (digest) => {
      await refresh();
      return cache.uncompressedDigest(digest);
    },
    candidateLocations: async (transport, scope, digest, lookup) => {
      await refresh();
      return cache.candidateLocations(transport, scope, digest, lookup);
    },
    get path() {
      return writer.path;
    },
    flush: () => writer.flush(),
    [Symbol.asyncDispose]: () => writer.flush(),
  };
}
