import {
  type OpenBlobInfoCacheOptions,
  openBlobInfoCache,
  type PersistentBlobInfoCache,
} from './open-blob-info-cache.ts';

/**
 * A {@link PersistentBlobInfoCache} that opens (reads) its file only when first used. A command that never
 * asks the cache anything, such as a copy between local transports where every blob is already there,
 * then does not pay for reading it; `path` is the intended file until then. Never throws.
 * @example
 * ```ts
 * await using cache = lazyBlobInfoCache({ path: defaultBlobInfoCachePath() });
 * await copyImage(policy, dest, src, { blobInfoCache: cache });
 * ```
 */
export function lazyBlobInfoCache(options: Omit<OpenBlobInfoCacheOptions, 'signal'> = {}): PersistentBlobInfoCache {
  let opened: Promise<PersistentBlobInfoCache> | undefined;
  const open = (): Promise<PersistentBlobInfoCache> => {
    opened ??= openBlobInfoCache(options);
    return opened;
  };
  return {
    uncompressedDigest: async (digest) => (await open()).uncompressedDigest(digest),
    recordUncompressedPair: async (compressed, uncompressed) =>
      (await open()).recordUncompressedPair(compressed, uncompressed),
    recordCompression: async (digest, compression) => (await open()).recordCompression(digest, compression),
    recordKnownLocation: async (transport, scope, digest, location) =>
      (await open()).recordKnownLocation(transport, scope, digest, location),
    candidateLocations: async (transport, scope, digest, lookup) =>
      (await open()).candidateLocations(transport, scope, digest, lookup),
    get path() {
      return options.path;
    },
    flush: async () => {
      await (await opened)?.flush();
    },
    [Symbol.asyncDispose]: async () => {
      await (await opened)?.[Symbol.asyncDispose]();
    },
  };
}
