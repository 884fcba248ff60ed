import type { BlobInfoCache } from '@ferry/types/internal';
import { type CacheRecord, isScopeText } from './cache-record.ts';
import { type CacheState, type CacheStateLimits, createCacheState } from './cache-state.ts';
import { MAX_CANDIDATES } from './prioritize.ts';

/** Bounds of an in-memory blob-info cache. */
export interface MemoryBlobInfoCacheOptions {
  /**
   * Locations remembered per (transport, scope, digest); the least recently seen are forgotten first.
   * @default 16
   */
  readonly maxLocationsPerDigest?: number;
  /**
   * Candidates returned by one `candidateLocations` call (containers/image's `replacementAttempts`).
   * @default 5
   */
  readonly maxCandidates?: number;
}

/** The default of {@link MemoryBlobInfoCacheOptions.maxLocationsPerDigest}. */
export const DEFAULT_MAX_LOCATIONS_PER_DIGEST = 16;

/** Resolves the bounds of a cache state from options. */
export function cacheStateLimits(options: MemoryBlobInfoCacheOptions): CacheStateLimits {
  return {
    maxLocationsPerDigest: Math.max(1, options.maxLocationsPerDigest ?? DEFAULT_MAX_LOCATIONS_PER_DIGEST),
    maxCandidates: Math.max(0, options.maxCandidates ?? MAX_CANDIDATES),
  };
}

/**
 * A {@link BlobInfoCache} over `state` that hands every new record to `persist` (after applying it). Times
 * have microseconds, so records of two processes rarely tie, and strictly increase within one cache.
 */
export function blobInfoCacheOver(state: CacheState, persist: (record: CacheRecord) => Promise<void>): BlobInfoCache {
  let last = 0;
  const now = (): number => {
    const clock = Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000;
    last = Math.max(clock, last + 0.001);
    return last;
  };
  const record = async (entry: CacheRecord): Promise<void> => {
    state.apply(entry);
    await persist(entry);
  };
  return {
    uncompressedDigest: async (digest) => state.uncompressedDigest(digest),
    recordUncompressedPair: (compressed, uncompressed) =>
      record({ kind: 'pair', compressed, uncompressed, time: now() }),
    recordCompression: (digest, compression) => record({ kind: 'compression', digest, compression, time: now() }),
    recordKnownLocation: async (transport, scope, digest, location) => {
      if (!isScopeText(transport) || !isScopeText(scope)) return;
      await record({ kind: 'location', transport, scope, digest, location, time: now() });
    },
    candidateLocations: async (transport, scope, digest, options) =>
      state.candidates(transport, scope, digest, options.canSubstitute),
  };
}

/**
 * Creates a blob-info cache that lives in this process only (what containers/image's `memory.New()` is):
 * for tests, short-lived tools, or when no persistent cache is wanted.
 *
 * @example
 * ```ts
 * const cache = createMemoryBlobInfoCache();
 * await copyImage(src, dest, { policy, blobInfoCache: cache });
 * ```
 */
export function createMemoryBlobInfoCache(options: MemoryBlobInfoCacheOptions = {}): BlobInfoCache {
  return blobInfoCacheOver(createCacheState(cacheStateLimits(options)), async () => {});
}
