import type { BlobInfo } from './blob-info.ts';

/**
 * A progress event of a copy, one per artifact (blob) phase:
 * - `start`: the transfer of `artifact` begins;
 * - `read`: `offset` bytes have passed so far, `delta` of them since the last event;
 * - `done`: all bytes passed and were verified;
 * - `skipped`: the destination already had the blob or reused it, nothing was transferred.
 */
export type ProgressEvent =
  | { readonly type: 'start'; readonly artifact: BlobInfo }
  | { readonly type: 'read'; readonly artifact: BlobInfo; readonly offset: number; readonly delta: number }
  | { readonly type: 'done'; readonly artifact: BlobInfo; readonly offset: number }
  | { readonly type: 'skipped'; readonly artifact: BlobInfo };

/** A receiver of progress events. It MUST NOT throw; it SHOULD return quickly. */
export type ProgressListener = (event: ProgressEvent) => void;
