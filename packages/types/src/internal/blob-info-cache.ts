import type { CompressionAlgorithm } from '../blob-info.ts';
import type { Digest } from '../digest.ts';

/** A place a blob was seen, with what is known of it there. */
export interface BlobLocation {
  /** The digest of the blob at that place (differs from the asked digest for a substitute). */
  readonly digest: Digest;
  /** Transport-specific location, e.g. a registry repository `registry.example.com/team/app`. */
  readonly location: string;
  /** Compression of that blob, when known. */
  readonly compression?: CompressionAlgorithm | 'none';
}

/**
 * What Ferry remembers about blobs across copies: compressed/uncompressed pairs and where each digest was
 * seen, so a destination can mount or substitute instead of uploading. Implementations MUST NOT throw
 * (a broken cache only loses speed); the persistent one is shared by concurrent processes, hence async.
 * It lives in the private contract because transports (the registry) record locations and `copy` reads
 * them; neither may import the other.
 */
export interface BlobInfoCache {
  /** The uncompressed digest of `digest`, when known (`digest` itself for an uncompressed blob). */
  uncompressedDigest(digest: Digest): Promise<Digest | undefined>;
  /** Records that `compressed` decompresses to `uncompressed`. MUST be called only for locally verified data. */
  recordUncompressedPair(compressed: Digest, uncompressed: Digest): Promise<void>;
  /** Records the compression of a blob. */
  recordCompression(digest: Digest, compression: CompressionAlgorithm | 'none'): Promise<void>;
  /** Records that `digest` exists at `location` within `scope` of `transport`. */
  recordKnownLocation(transport: string, scope: string, digest: Digest, location: string): Promise<void>;
  /**
   * Places where `digest` (or, with `canSubstitute`, a blob with the same uncompressed content) was seen,
   * most promising first.
   */
  candidateLocations(
    transport: string,
    scope: string,
    digest: Digest,
    options: { readonly canSubstitute: boolean },
  ): Promise<readonly BlobLocation[]>;
}

/** A cache that remembers nothing. */
export const NO_CACHE: BlobInfoCache = Object.freeze({
  uncompressedDigest: async () => undefined,
  recordUncompressedPair: async () => {},
  recordCompression: async () => {},
  recordKnownLocation: async () => {},
  candidateLocations: async () => [],
});
