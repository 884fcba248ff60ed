import type { Digest } from '@ferry/types';
import type { BlobLocation } from '@ferry/types/internal';

/** How many candidates {@link prioritizeCandidates} returns at most (containers/image: `replacementAttempts`). */
export const MAX_CANDIDATES = 5;

/** A candidate location with the time it was last seen. */
export interface TimedLocation {
  /** The candidate. */
  readonly candidate: BlobLocation;
  /** When it was last seen (milliseconds since the epoch). */
  readonly time: number;
}

/**
 * Orders candidates the way containers/image's `prioritize` does, and keeps at most `limit`: the asked
 * `primary` digest first, then substitutes (most recently seen first), then the uncompressed digest itself
 * last (reusing it means an uncompressed layer); within each group the most recently seen first.
 */
export function prioritizeCandidates(
  candidates: readonly TimedLocation[],
  primary: Digest,
  uncompressed: Digest | undefined,
  limit: number = MAX_CANDIDATES,
): BlobLocation[] {
  const rank = (digest: Digest): number => {
    if (digest === primary) return 0;
    return digest === uncompressed ? 2 : 1;
  };
  const sorted = [...candidates].sort((x, y) => {
    const byRank = rank(x.candidate.digest) - rank(y.candidate.digest);
    if (byRank !== 0) return byRank;
    if (x.time !== y.time) return y.time - x.time;
    return (
      compareText(x.candidate.digest, y.candidate.digest) || compareText(x.candidate.location, y.candidate.location)
    );
  });
  return sorted.slice(0, Math.max(0, limit)).map((entry) => entry.candidate);
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
