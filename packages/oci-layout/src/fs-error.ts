import { ImageError, isImageError } from '@ferry/types';

/** The `code` of a Node system error, if any. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a failure into what callers may see: an `ImageError` passes as is, an abort of `signal` surfaces
 * as `signal.reason`, and anything else becomes `ERR_IO` naming `what`.
 */
export function asLayoutError(error: unknown, what: string, signal?: AbortSignal): unknown {
  if (isImageError(error)) return error;
  if (signal?.aborted === true) return signal.reason;
  const detail = error instanceof Error ? error.message : String(error);
  return new ImageError('ERR_IO', `${what} failed: ${detail}`, { cause: error });
}
