import { ImageError } from '@ferry/types';

/** Returns `level` if it is an integer in `[min, max]` (or undefined), else throws `ERR_INVALID_ARGUMENT`. */
export function checkLevel(algorithm: string, level: number | undefined, min: number, max: number): number | undefined {
  if (level === undefined) return undefined;
  if (!Number.isInteger(level) || level < min || level > max) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `${algorithm} level ${level} is not an integer from ${min} to ${max}`);
  }
  return level;
}
