import type { BlobInfo } from './blob-info.ts';
import type { Digest } from './digest.ts';

/** Fields every blob progress event carries. */
interface BlobEventBase {
  /** The blob as the source describes it. */
  readonly artifact: BlobInfo;
  /**
   * Identifies one transfer within a copy: the same layer copied for two instances of a list gives two
   * transfers with different ids.
   */
  readonly transferId: number;
  /** The list instance the blob belongs to, when a list is being copied. */
  readonly instance?: Digest;
}

/**
 * A progress event of a copy:
 * - `start`: the transfer of `artifact` begins;
 * - `read`: `offset` bytes have been read from the source so far, `delta` of them since the last event
 *   (bytes read, not bytes written: with compression changes the two differ);
 * - `done`: all bytes passed and were verified;
 * - `skipped`: the destination already had the blob or reused it, nothing was transferred;
 * - `manifest`: a manifest (of `instance`, or the top level) was written.
 */
export type ProgressEvent =
  | (BlobEventBase & { readonly type: 'start' })
  | (BlobEventBase & { readonly type: 'read'; readonly offset: number; readonly delta: number })
  | (BlobEventBase & { readonly type: 'done'; readonly offset: number })
  | (BlobEventBase & { readonly type: 'skipped' })
  | { readonly type: 'manifest'; readonly digest: Digest; readonly instance?: Digest };

/** A receiver of progress events. It MUST NOT throw; it SHOULD return quickly. */
export type ProgressListener = (event: ProgressEvent) => void;
