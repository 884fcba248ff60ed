import { ImageError } from '@ferry/types';

/** The `ERR_CORRUPT_COMPRESSED_DATA` error for `algorithm`, naming the decoder's complaint. */
export function corruptDataError(algorithm: string, cause: unknown): ImageError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ImageError('ERR_CORRUPT_COMPRESSED_DATA', `corrupt or truncated ${algorithm} data: ${detail}`, { cause });
}
