import { createHash } from 'node:crypto';
import { ImageError } from '@ferry/types';

/** The longest list name, in characters (Unicode code points). */
export const MAX_LIST_NAME_LENGTH = 255;

// how much of the readable, percent-encoded name leads a file name; the hash after it makes it unique
const READABLE_LENGTH = 64;

/**
 * Checks that `name` can name a stored list: a non-empty string of at most 255 characters without NUL.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` saying what is wrong.
 * @example
 * ```ts
 * checkListName('localhost/app:v1'); // passes
 * ```
 */
export function checkListName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ImageError('ERR_INVALID_ARGUMENT', 'a list name must be a non-empty string');
  }
  if (name.includes('\0')) throw new ImageError('ERR_INVALID_ARGUMENT', `list name ${JSON.stringify(name)} holds NUL`);
  if ([...name].length > MAX_LIST_NAME_LENGTH) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `list name "${name.slice(0, 40)}…" is over 255 characters`);
  }
  // a lone surrogate has no UTF-8 form: two such names would share a hash
  if (/\p{Cs}/u.test(name)) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `list name ${JSON.stringify(name)} holds a lone surrogate`);
  }
}

/**
 * The file name (within the store's root) of the list `name`: up to 64 characters of the name with every
 * byte outside `[A-Za-z0-9_-]` percent-encoded (so `/`, `.` and `%` never reach the file system as
 * themselves), then `.` and 32 hex digits of the name's SHA-256, then `.json`. Two names never share a
 * file, `..` or `/x` cannot escape the root, and the name stays readable in a listing; the file holds the
 * full name. The name MUST have passed {@link checkListName}.
 *
 * @example
 * ```ts
 * listFileName('localhost/app:v1'); // 'localhost%2Fapp%3Av1.1f3a…(32 hex).json'
 * ```
 */
export function listFileName(name: string): string {
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 32);
  return `${readablePrefix(name)}.${hash}.json`;
}

/** Tells whether a file name in the store's root is one {@link listFileName} makes. */
export function isListFileName(file: string): boolean {
  return /^[A-Za-z0-9_%-]*\.[0-9a-f]{32}\.json$/.test(file);
}

function readablePrefix(name: string): string {
  let out = '';
  for (const char of name) {
    const piece = /^[A-Za-z0-9_-]$/.test(char) ? char : percentEncode(char);
    // whole characters only, so the prefix never ends in half an escape
    if (out.length + piece.length > READABLE_LENGTH) break;
    out += piece;
  }
  return out;
}

function percentEncode(char: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}
