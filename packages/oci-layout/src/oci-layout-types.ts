import type { ByteStream, CallOptions, Digest } from '@ferry/types';
import type { IndexEntry, LayoutIndex } from './layout-index.ts';
import type { PublishedBlob } from './publish-blob.ts';

/** Options of {@link openLayout}. */
export interface OpenLayoutOptions extends CallOptions {
  /**
   * Make a new layout at the path when there is none (the directory, `blobs/`, an empty `index.json`, then
   * `oci-layout`). An existing layout is opened as is.
   * @default false
   */
  readonly create?: boolean;
  /**
   * How long to wait for the `index.json` lock held by another process before failing with `ERR_IO`.
   * @default 60000
   */
  readonly lockTimeoutMs?: number;
}

/** Options of {@link OciLayout.putBlob}. */
export interface LayoutPutBlobOptions extends CallOptions {
  /** The digest the stream MUST hash to (`ERR_DIGEST_MISMATCH` otherwise). */
  readonly digest?: Digest;
  /** The size the stream MUST have (`ERR_SIZE_MISMATCH` otherwise). */
  readonly size?: number;
  /**
   * The caller verifies the stream against `digest` itself (the stream throws before its end on a
   * mismatch), so the layout does not hash it again. Ignored without `digest`.
   * @default false
   */
  readonly verifiedByCaller?: boolean;
}

/** Options of {@link OciLayout.getBlob}. */
export interface LayoutGetBlobOptions extends CallOptions {
  /** First byte to read. @default 0 */
  readonly offset?: number;
  /** Number of bytes to read; absent means to the end. */
  readonly length?: number;
}

/** A blob being read. */
export interface LayoutBlobStream {
  /** The bytes (unverified: the file is what a writer published). The receiver owns it. */
  readonly stream: ByteStream;
  /** The size of the whole blob file. */
  readonly size: number;
}

/** Options of {@link OciLayout.putReference}. */
export interface PutReferenceOptions extends CallOptions {
  /** Replace a reference of the same name with another target instead of failing with `ERR_CLOBBER`. @default false */
  readonly replace?: boolean;
}

/** Options of {@link OciLayout.gc}. */
export interface GcOptions extends CallOptions {
  /** Only these blobs may be deleted (each only if unreachable). @default every blob */
  readonly candidates?: Iterable<Digest>;
  /**
   * Delete no blob at all while another writer has a temp area in the layout (what a destination
   * cleaning up after itself wants: another writer may have reused a blob it wrote).
   * @default false
   */
  readonly nothingWhileOthersWrite?: boolean;
}

/** What {@link OciLayout.gc} removed. */
export interface GcResult {
  /** The blobs deleted. */
  readonly deletedBlobs: readonly Digest[];
  /** Temp files and directories left by crashed writers that were removed. */
  readonly removedTemps: readonly string[];
}

/** Changes the index under the lock: return the new index, or `undefined` to leave it unchanged. */
export type IndexMutator = (index: LayoutIndex) => LayoutIndex | undefined | Promise<LayoutIndex | undefined>;

/**
 * An open OCI image layout with umoci's `cas` semantics. Every method that changes `index.json` does so
 * under the layout's lock with an atomic replace, so concurrent writers (in this or other processes) never
 * lose each other's entries. Close it with `await using` or `[Symbol.asyncDispose]()`; that removes this
 * handle's temp area.
 */
export interface OciLayout extends AsyncDisposable {
  /** The directory of the layout, as given. */
  readonly path: string;
  /**
   * Stores a blob, verifying digest and size while streaming into the layout's temp area; it appears at
   * `blobs/<alg>/<hex>` only once complete and verified. Idempotent. `created` tells whether this call
   * made the file.
   */
  putBlob(stream: ByteStream, options?: LayoutPutBlobOptions): Promise<PublishedBlob>;
  /** Opens a blob for reading. @throws `ERR_BLOB_UNKNOWN` when absent. */
  getBlob(digest: Digest, options?: LayoutGetBlobOptions): Promise<LayoutBlobStream>;
  /** The size of a blob file, or `undefined` when absent. */
  statBlob(digest: Digest, options?: CallOptions): Promise<number | undefined>;
  /** Whether a blob is present. */
  blobExists(digest: Digest, options?: CallOptions): Promise<boolean>;
  /**
   * Marks a present blob as used by this handle (registers the handle as an active writer and refreshes the
   * blob's modification time, so a concurrent {@link OciLayout.gc} keeps it). Returns its size, or
   * `undefined` when absent.
   */
  claimBlob(digest: Digest, options?: CallOptions): Promise<number | undefined>;
  /** Deletes a blob. Idempotent; it does not check whether anything references it. */
  deleteBlob(digest: Digest, options?: CallOptions): Promise<void>;
  /** The digests of every blob present. */
  listBlobs(options?: CallOptions): Promise<Digest[]>;
  /** The file path of a blob (whether or not it exists). */
  blobPath(digest: Digest): string;
  /**
   * Stores `descriptor` in `index.json` under `name`. Idempotent for the same target.
   * @throws `ERR_CLOBBER` when `name` names another target and `replace` is not set.
   */
  putReference(name: string, descriptor: IndexEntry, options?: PutReferenceOptions): Promise<void>;
  /** The descriptor stored under `name`. @throws `ERR_MANIFEST_UNKNOWN` when there is none. */
  getReference(name: string, options?: CallOptions): Promise<IndexEntry>;
  /** Removes every entry named `name`. Idempotent. */
  deleteReference(name: string, options?: CallOptions): Promise<void>;
  /** The reference names in `index.json`, in order, without duplicates. */
  listReferences(options?: CallOptions): Promise<string[]>;
  /** Reads and validates `index.json`. */
  readIndex(options?: CallOptions): Promise<LayoutIndex>;
  /** Read-modify-write of `index.json` under the lock; returns the index as it now is. */
  updateIndex(mutator: IndexMutator, options?: CallOptions): Promise<LayoutIndex>;
  /**
   * Runs `action` while holding the `index.json` lock (for several steps that must not interleave with
   * other writers). `updateIndex` must not be called from inside it.
   */
  withLock<T>(action: () => Promise<T>, options?: CallOptions): Promise<T>;
  /**
   * Under the lock, deletes blobs unreachable from `index.json` and temp files of crashed writers. While
   * other writers are active, blobs modified after the oldest of them started are kept (they may be about
   * to be referenced).
   */
  gc(options?: GcOptions): Promise<GcResult>;
}
