import type { Digest, ProgressEvent } from '@ferry/types';
import type { BlobInfoCache, InternalDestination, InternalSource } from '@ferry/types/internal';
import type { CopyOptions, DestinationCompression } from './copy-options.ts';
import type { Semaphore } from './semaphore.ts';

/** What the layer pipeline should do to layers, decided once per copy. */
export type LayerWish =
  | { readonly kind: 'preserve' }
  | { readonly kind: 'decompress'; readonly demanded: boolean }
  | { readonly kind: 'compress'; readonly compression: DestinationCompression; readonly demanded: boolean };

/** State shared by every image of one copy. */
export interface CopyContext {
  readonly source: InternalSource;
  readonly destination: InternalDestination;
  readonly options: CopyOptions;
  readonly signal: AbortSignal | undefined;
  readonly cache: BlobInfoCache;
  /** Limits blob copies across the copy (and other copies sharing it). */
  readonly semaphore: Semaphore;
  /** Limits reuse checks at once (a HEAD or a stat each): cheaper than transfers, so more run at once. */
  readonly probes: Semaphore;
  /** Serialises blob writes when the destination cannot take them concurrently; otherwise undefined. */
  readonly writeLock: Semaphore | undefined;
  /**
   * Limits layers being (de)compressed at once to the CPU count plus one: that work is CPU-bound, so more
   * streams only add memory (each codec holds its window), not speed.
   */
  readonly cpu: Semaphore;
  /** Limits zstd compressors at once to the cores: each holds an 8 MiB window, and more add no speed. */
  readonly zstdCompressors: Semaphore;
  readonly layerWish: LayerWish;
  /** What the copy learnt on the way: `alreadyPresent` means nothing was written and nothing is to commit. */
  readonly state: { alreadyPresent: boolean };
  /** Writes one report line. */
  report(line: string): void;
  /** Sends a progress event (never throws). */
  emit(event: ProgressEvent): void;
  /** A new transfer id. */
  nextTransferId(): number;
}

/** Where in a list an image is, for policy, progress and putManifest. */
export interface ImageTarget {
  /** The instance digest in the source list, or undefined for a top-level image. */
  readonly instance: Digest | undefined;
}
