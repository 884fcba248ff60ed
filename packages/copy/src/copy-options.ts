import type { Digest, ImageSigner, NamedReference, Platform, ProgressListener, SystemOptions } from '@ferry/types';
import type { BlobInfoCache } from '@ferry/types/internal';
import type { Semaphore } from './semaphore.ts';

/**
 * Which images of a source list to copy (ignored when the source is a single image):
 * - `'system'`: only the instance for the running system, or `sourceOptions.platform`, written as a single
 *   image (no list), like skopeo without `--all`;
 * - `'all'`: every instance and the list;
 * - `{ instances }`: these instances and the list (which still names every instance);
 * - `{ platforms }`: the instances matching any of these platforms (each given field must be equal) and the list;
 * - `'index-only'`: the list bytes alone, no instance (skopeo's `--multi-arch index-only`).
 */
export type ImageListSelection =
  | 'system'
  | 'all'
  | 'index-only'
  | { readonly instances: readonly Digest[] }
  | { readonly platforms: readonly Partial<Platform>[] };

/** How layers should be compressed at the destination. */
export interface DestinationCompression {
  /** The algorithm to compress uncompressed layers with, and to recompress layers in another format to. */
  readonly algorithm: 'gzip' | 'zstd';
  /**
   * The level: gzip 0–9, zstd 1–19.
   * @default gzip 1 (fast; on the benchmark images still smaller than skopeo's default output), zstd 3
   * with an 8 MiB window and long-distance matching
   */
  readonly level?: number;
  /**
   * Also recompress layers compressed with another algorithm (skopeo does this only when
   * `--dest-compress-format` is given; `--dest-compress` alone compresses uncompressed layers only).
   * @default true
   */
  readonly recompress?: boolean;
}

/** Options of {@link CopyOptions.blobRetry}. */
export interface BlobRetryOptions {
  /** Retries after the first failure. @default 3 */
  readonly times?: number;
  /** Delay before the first retry in milliseconds, doubled on each later one. @default 1000 */
  readonly delayMs?: number;
}

/** Options of {@link copyImage}: the TypeScript counterpart of containers/image's `copy.Options`. */
export interface CopyOptions {
  /** Aborts the copy; the promise then rejects with `signal.reason` and nothing is committed. */
  readonly signal?: AbortSignal;
  /**
   * Options for opening the source (its `platform` also chooses the instance of a list under `'system'`).
   * @default {}
   */
  readonly sourceOptions?: SystemOptions;
  /** Options for opening the destination. @default {} */
  readonly destinationOptions?: SystemOptions;
  /** Do not copy the source's signatures. @default false */
  readonly removeSignatures?: boolean;
  /**
   * Signers that sign the copied top-level manifest (the list itself when a list is copied, as containers/image
   * does); their signatures are stored after the copied ones. The destination must be able to store their kinds,
   * which is checked before anything is written (skopeo's `--sign-by`, `--sign-by-sigstore-private-key`).
   * @default []
   */
  readonly signers?: readonly ImageSigner[];
  /**
   * The identity the new signatures claim (skopeo's `--sign-identity`).
   * @default the destination's Docker reference; a destination without one needs this option to sign
   */
  readonly signIdentity?: NamedReference;
  /**
   * Receives skopeo's progress lines ("Copying blob sha256:…", "Writing manifest to image destination", …),
   * without the trailing newline.
   * @default lines are dropped
   */
  readonly reportWriter?: (line: string) => void;
  /**
   * The least time in milliseconds between two `read` progress events of one transfer.
   * @default 100
   */
  readonly progressInterval?: number;
  /** Receives progress events. It must not throw. @default events are dropped */
  readonly onProgress?: ProgressListener;
  /**
   * The manifest type to write (e.g. `application/vnd.oci.image.manifest.v1+json` for `--format oci`); a list
   * gets the matching list type.
   * @default the source's type when the destination accepts it, else the destination's preference
   */
  readonly forceManifestMediaType?: string;
  /** Which images of a list to copy. @default 'system' */
  readonly imageListSelection?: ImageListSelection;
  /**
   * Refuse every change that would alter a manifest digest (conversion, recompression) with an error.
   * @default false
   */
  readonly preserveDigests?: boolean;
  /**
   * Compress uncompressed layers with this algorithm and recompress layers compressed otherwise. Diff IDs do
   * not change, so the config is kept byte for byte.
   * @default layers are kept as they are, unless the destination asks otherwise
   */
  readonly destinationCompression?: DestinationCompression;
  /** Store layers uncompressed (skopeo's `--dest-decompress`). @default false */
  readonly decompress?: boolean;
  /** The most blobs copied at once within this copy, when no `semaphore` is given. @default 6 */
  readonly maxParallelBlobs?: number;
  /**
   * A semaphore that limits blob copies across every copy sharing it; `maxParallelBlobs` is then ignored.
   * @default a new semaphore of `maxParallelBlobs`
   */
  readonly semaphore?: Semaphore;
  /**
   * Before copying an image, read the destination's manifest and skip the image when it is already there
   * with the same digest (and nothing is to be changed).
   * @default false
   */
  readonly optimizeDestinationImageAlreadyExists?: boolean;
  /**
   * Copy the bytes of foreign (non-distributable) layers even when the destination could keep their URLs.
   * @default false
   */
  readonly downloadForeignLayers?: boolean;
  /** Where to look up and record compressed/uncompressed pairs and blob locations. @default NO_CACHE */
  readonly blobInfoCache?: BlobInfoCache;
  /**
   * How often a blob is copied again from the start after a transient failure (a dropped connection the
   * transport could not resume, a server error; see `isTransientError`), and how long to wait first. The
   * transports' own retries of single requests come before this.
   * @default { times: 3, delayMs: 1000 } (the delay doubles on each retry)
   */
  readonly blobRetry?: BlobRetryOptions;
}

/** What {@link copyImage} wrote: the top-level manifest (the list, when a list was copied). */
export interface CopyResult {
  /** The manifest bytes as written. */
  readonly manifest: Uint8Array;
  /** Its media type. */
  readonly mediaType: string;
  /** Its digest. */
  readonly digest: Digest;
}
