import { ImageError, isImageError } from '@ferry/types';

/**
 * The error to throw for `error` caught during an I/O call: the caller's own `signal.reason` when the call
 * was aborted (the contract forbids wrapping it), an `ImageError` as it is, anything else wrapped as
 * `ERR_IO` with its cause.
 */
export function failure(error: unknown, signal: AbortSignal | undefined, message: string): unknown {
  if (signal?.aborted === true) return signal.reason;
  if (isImageError(error)) return error;
  return new ImageError('ERR_IO', message, { cause: error });
}

/** Whether `error` is a Node system error with this `code` (e.g. `ENOENT`). */
export function hasErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
