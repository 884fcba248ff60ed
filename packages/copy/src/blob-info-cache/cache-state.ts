import type { Digest } from '@ferry/types';
import type { BlobLocation } from '@ferry/types/internal';
import type { CachedCompression, CacheRecord } from './cache-record.ts';
import { prioritizeCandidates, type TimedLocation } from './prioritize.ts';

/** Bounds of a {@link CacheState}. */
export interface CacheStateLimits {
  /** Locations kept per (transport, scope, digest); the least recently seen go first. */
  readonly maxLocationsPerDigest: number;
  /** Candidates returned by one lookup. */
  readonly maxCandidates: number;
}

/** What the cache knows, in memory: every record applied, newest facts winning. */
export interface CacheState {
  /** Applies one record (from this process or read from the log). */
  apply(record: CacheRecord): void;
  /** The uncompressed digest of `digest`, `digest` itself when it is known to be uncompressed. */
  uncompressedDigest(digest: Digest): Digest | undefined;
  /** Prioritized, bounded candidates, as `BlobInfoCache.candidateLocations` returns them. */
  candidates(transport: string, scope: string, digest: Digest, canSubstitute: boolean): BlobLocation[];
  /** Every fact as a record, in no particular order (what a compaction writes back). */
  records(): CacheRecord[];
}

interface Seen {
  readonly location: string;
  time: number;
}

interface Timed<T> {
  value: T;
  time: number;
}

/** Creates an empty {@link CacheState}. */
export function createCacheState(limits: CacheStateLimits): CacheState {
  const pairs = new Map<Digest, Timed<Digest>>();
  const byUncompressed = new Map<Digest, Set<Digest>>();
  const compressions = new Map<Digest, Timed<CachedCompression>>();
  // key: transport NUL scope NUL digest; value: a few locations with when they were last seen (arrays, not
  // maps: a large cache holds thousands of these and is read whole on every open)
  const locations = new Map<string, Seen[]>();

  const setPair = (compressed: Digest, uncompressed: Digest, time: number): void => {
    const previous = pairs.get(compressed);
    if (previous !== undefined && previous.time > time) return;
    if (previous !== undefined && previous.value !== uncompressed)
      byUncompressed.get(previous.value)?.delete(compressed);
    pairs.set(compressed, { value: uncompressed, time });
    let set = byUncompressed.get(uncompressed);
    if (set === undefined) {
      set = new Set();
      byUncompressed.set(uncompressed, set);
    }
    set.add(compressed);
  };

  const setLocation = (key: string, location: string, time: number): void => {
    const seen = locations.get(key);
    if (seen === undefined) {
      locations.set(key, [{ location, time }]);
      return;
    }
    const known = seen.find((entry) => entry.location === location);
    if (known !== undefined) known.time = Math.max(known.time, time);
    else seen.push({ location, time });
    if (seen.length > limits.maxLocationsPerDigest) dropOldest(seen);
  };

  const uncompressedDigest = (digest: Digest): Digest | undefined => {
    const pair = pairs.get(digest);
    if (pair !== undefined) return pair.value;
    return (byUncompressed.get(digest)?.size ?? 0) > 0 ? digest : undefined;
  };

  const appendCandidates = (out: TimedLocation[], prefix: string, digest: Digest): void => {
    const seen = locations.get(prefix + digest);
    if (seen === undefined) return;
    const compression = compressions.get(digest)?.value;
    for (const { location, time } of seen) {
      const candidate: BlobLocation =
        compression === undefined ? { digest, location } : { digest, location, compression };
      out.push({ candidate, time });
    }
  };

  return {
    apply(record) {
      switch (record.kind) {
        case 'pair':
          setPair(record.compressed, record.uncompressed, record.time);
          return;
        case 'compression': {
          const previous = compressions.get(record.digest);
          if (previous === undefined || previous.time <= record.time) {
            compressions.set(record.digest, { value: record.compression, time: record.time });
          }
          return;
        }
        case 'location':
          setLocation(locationKey(record.transport, record.scope, record.digest), record.location, record.time);
          return;
      }
    },
    uncompressedDigest,
    candidates(transport, scope, digest, canSubstitute) {
      const prefix = locationKey(transport, scope, '');
      const found: TimedLocation[] = [];
      appendCandidates(found, prefix, digest);
      const uncompressed = canSubstitute ? uncompressedDigest(digest) : undefined;
      if (uncompressed !== undefined) {
        for (const other of byUncompressed.get(uncompressed) ?? []) {
          if (other !== digest && other !== uncompressed) appendCandidates(found, prefix, other);
        }
        if (uncompressed !== digest) appendCandidates(found, prefix, uncompressed);
      }
      return prioritizeCandidates(found, digest, uncompressed, limits.maxCandidates);
    },
    records() {
      const out: CacheRecord[] = [];
      for (const [compressed, { value, time }] of pairs) {
        out.push({ kind: 'pair', compressed, uncompressed: value, time });
      }
      for (const [digest, { value, time }] of compressions) {
        out.push({ kind: 'compression', digest, compression: value, time });
      }
      for (const [key, seen] of locations) {
        const [transport = '', scope = '', digest = ''] = key.split('\0');
        for (const { location, time } of seen) {
          out.push({ kind: 'location', transport, scope, digest: digest as Digest, location, time });
        }
      }
      return out;
    },
  };
}

function locationKey(transport: string, scope: string, digest: string): string {
  return `${transport}\0${scope}\0${digest}`;
}

function dropOldest(seen: Seen[]): void {
  let oldest = 0;
  seen.forEach((entry, index) => {
    if (entry.time < (seen[oldest]?.time ?? Number.POSITIVE_INFINITY)) oldest = index;
  });
  seen.splice(oldest, 1);
}
