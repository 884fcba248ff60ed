/**
 * The copy pipeline: copies an image or a list between any two transports, streaming, verifying,
 * converting and reusing blobs.
 *
 * @packageDocumentation
 */
export {
  BLOB_INFO_CACHE_FILE_NAME,
  defaultBlobInfoCachePath,
} from './blob-info-cache/default-path.ts';
export { lazyBlobInfoCache } from './blob-info-cache/lazy-blob-info-cache.ts';
export {
  createMemoryBlobInfoCache,
  DEFAULT_MAX_LOCATIONS_PER_DIGEST,
  type MemoryBlobInfoCacheOptions,
} from './blob-info-cache/memory-blob-info-cache.ts';
export {
  DEFAULT_MAX_CACHE_FILE_BYTES,
  type OpenBlobInfoCacheOptions,
  openBlobInfoCache,
  type PersistentBlobInfoCache,
} from './blob-info-cache/open-blob-info-cache.ts';
export { copyImage } from './copy-image.ts';
export type {
  BlobRetryOptions,
  CopyOptions,
  CopyResult,
  DestinationCompression,
  ImageListSelection,
} from './copy-options.ts';
export { insecureAcceptAnythingPolicy } from './policy.ts';
export { createSemaphore, type Semaphore } from './semaphore.ts';
