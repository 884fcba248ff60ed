import { ImageError } from '@ferry/types';

const CLIP = 300;

/**
 * The error every parser in this package throws: `ERR_INVALID_REFERENCE`, naming the input (quoted, clipped
 * to a few hundred characters) and the rule it breaks.
 */
export function invalidReference(text: string, rule: string, cause?: unknown): ImageError {
  const shown = text.length > CLIP ? `${text.slice(0, CLIP)}…` : text;
  return new ImageError(
    'ERR_INVALID_REFERENCE',
    `invalid reference ${JSON.stringify(shown)}: ${rule}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Refuses anything but a string, for callers that bypass the types. */
export function assertString(text: unknown): asserts text is string {
  if (typeof text !== 'string') {
    throw new ImageError('ERR_INVALID_REFERENCE', `invalid reference: expected a string, got ${typeof text}`);
  }
}
