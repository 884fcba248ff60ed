import { ImageError, isImageError } from '@ferry/types';

/** The `code` of a Node system error, e.g. `ENOENT`. */
export function systemCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a file-system failure into an `ImageError` with code `ERR_IO` (the system error as `cause`); an
 * `ImageError` and the caller's abort reason pass through unchanged.
 */
export function asIoError(error: unknown, doing: string, signal?: AbortSignal): unknown {
  if (isImageError(error)) return error;
  if (signal?.aborted === true && error === signal.reason) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new ImageError('ERR_IO', `${doing} failed: ${detail}`, { cause: error });
}
