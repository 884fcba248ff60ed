import { STATUS_CODES } from 'node:http';
import { ImageError, type ImageErrorCode, type ImageErrorOptions, isImageError } from '@ferry/types';
import { parseWwwAuthenticate } from './www-authenticate.ts';

/** One entry of a distribution error body `{"errors":[{"code","message","detail"}]}`. */
export interface RegistryErrorEntry {
  /** The distribution error code, e.g. `MANIFEST_UNKNOWN`, as the registry sent it. */
  readonly code: string;
  /** The registry's message, as sent (untrusted text: not put in error messages beyond a short, cleaned prefix). */
  readonly message: string;
  /** The registry's free-form detail, when it sent one. */
  readonly detail?: unknown;
}

/** What the failed request was about: it decides what a bare 404 means. */
export type RegistryErrorKind = 'manifest' | 'blob' | 'upload' | 'tags' | 'catalog' | 'other';

/** The parts of an HTTP response that {@link registryErrorFrom} reads. */
export interface RegistryErrorResponse {
  readonly status: number;
  /** Response headers, lower-case names (undici's form). Only `WWW-Authenticate` is read; none is echoed. */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body text, read by the caller under a small limit; empty when there was none. */
  readonly body?: string;
}

const BRAND = Symbol.for('ferry.RegistryError');

/**
 * An {@link ImageError} from a registry's HTTP error response, carrying the HTTP status and the registry's
 * error entries. Match it with {@link isRegistryError} or by its `code`.
 *
 * @example
 * ```ts
 * if (isRegistryError(e) && e.errors.some((x) => x.code === 'TAG_INVALID')) retryWithOtherFormat();
 * ```
 */
export class RegistryError extends ImageError {
  /** The HTTP status of the response. */
  readonly status: number;
  /** The registry's error entries, possibly empty. */
  readonly errors: readonly RegistryErrorEntry[];
  constructor(
    code: ImageErrorCode,
    message: string,
    status: number,
    errors: readonly RegistryErrorEntry[],
    options?: ImageErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'RegistryError';
    this.status = status;
    this.errors = errors;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Tells whether `error` is a {@link RegistryError} (from any installed copy), optionally with the given code.
 *
 * @example
 * ```ts
 * if (isRegistryError(e, 'ERR_MANIFEST_UNKNOWN') && e.status === 404) return undefined;
 * ```
 */
export function isRegistryError(error: unknown, code?: ImageErrorCode): error is RegistryError {
  return isImageError(error, code) && (error as { [BRAND]?: unknown })[BRAND] === true;
}

// distribution registry/api/errcode default messages: when the registry sends one of these, the message
// alone is shown (as containers/image does), otherwise "code text: message"
const DEFAULT_MESSAGES: ReadonlyMap<string, string> = new Map([
  ['UNKNOWN', 'unknown error'],
  ['UNSUPPORTED', 'The operation is unsupported.'],
  ['UNAUTHORIZED', 'authentication required'],
  ['DENIED', 'requested access to the resource is denied'],
  ['UNAVAILABLE', 'service unavailable'],
  ['TOOMANYREQUESTS', 'too many requests'],
  ['DIGEST_INVALID', 'provided digest did not match uploaded content'],
  ['SIZE_INVALID', 'provided length did not match content length'],
  ['RANGE_INVALID', 'invalid content range'],
  ['NAME_INVALID', 'invalid repository name'],
  ['TAG_INVALID', 'manifest tag did not match URI'],
  ['NAME_UNKNOWN', 'repository name not known to registry'],
  ['MANIFEST_UNKNOWN', 'manifest unknown'],
  ['MANIFEST_INVALID', 'manifest invalid'],
  ['MANIFEST_UNVERIFIED', 'manifest failed signature verification'],
  ['MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry'],
  ['BLOB_UNKNOWN', 'blob unknown to registry'],
  ['BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry'],
  ['BLOB_UPLOAD_INVALID', 'blob upload invalid'],
  ['PAGINATION_NUMBER_INVALID', 'invalid number of results requested'],
]);

function codeFromEntry(code: string, kind: RegistryErrorKind): ImageErrorCode | undefined {
  switch (code) {
    case 'UNAUTHORIZED':
      return 'ERR_UNAUTHORIZED';
    case 'DENIED':
      return 'ERR_DENIED';
    case 'MANIFEST_UNKNOWN':
      return 'ERR_MANIFEST_UNKNOWN';
    case 'NAME_UNKNOWN':
      // a missing repository holds neither the manifest nor the blob that was asked for
      return kind === 'blob' || kind === 'upload' ? 'ERR_BLOB_UNKNOWN' : 'ERR_MANIFEST_UNKNOWN';
    case 'BLOB_UNKNOWN':
    case 'BLOB_UPLOAD_UNKNOWN':
      return 'ERR_BLOB_UNKNOWN';
    case 'DIGEST_INVALID':
      return 'ERR_DIGEST_MISMATCH';
    case 'SIZE_INVALID':
      return 'ERR_SIZE_MISMATCH';
    case 'MANIFEST_INVALID':
    case 'MANIFEST_BLOB_UNKNOWN':
    case 'MANIFEST_UNVERIFIED':
    case 'TAG_INVALID':
      return 'ERR_INVALID_MANIFEST';
    case 'NAME_INVALID':
      return 'ERR_INVALID_REFERENCE';
    case 'PAGINATION_NUMBER_INVALID':
      return 'ERR_INVALID_ARGUMENT';
    case 'UNSUPPORTED':
      return 'ERR_NOT_IMPLEMENTED';
    case 'TOOMANYREQUESTS':
    case 'UNAVAILABLE':
    case 'UNKNOWN':
    case 'RANGE_INVALID':
    case 'BLOB_UPLOAD_INVALID':
      return 'ERR_IO';
    default:
      return undefined;
  }
}

function codeFromStatus(status: number, kind: RegistryErrorKind): ImageErrorCode {
  if (status === 401) return 'ERR_UNAUTHORIZED';
  if (status === 403) return 'ERR_DENIED';
  if (status === 404 || status === 410) {
    if (kind === 'manifest' || kind === 'tags') return 'ERR_MANIFEST_UNKNOWN';
    if (kind === 'blob' || kind === 'upload') return 'ERR_BLOB_UNKNOWN';
    if (kind === 'catalog') return 'ERR_NOT_IMPLEMENTED';
    return 'ERR_IO';
  }
  if (status === 400 && kind === 'manifest') return 'ERR_INVALID_MANIFEST';
  if (status === 405 || status === 501) return 'ERR_NOT_IMPLEMENTED';
  return 'ERR_IO';
}

// C0 and C1 controls, line and paragraph separators, bidirectional overrides and isolates
function isUnsafe(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x2028 ||
    c === 0x2029 ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}

/** Untrusted registry text, made printable, single-line and short. */
function clean(text: string, limit = 200): string {
  let printable = '';
  for (const ch of text) printable += isUnsafe(ch.charCodeAt(0)) ? ' ' : ch;
  const squeezed = printable.replace(/\s+/g, ' ').trim();
  return squeezed.length > limit ? `${squeezed.slice(0, limit)}…` : squeezed;
}

function entriesOf(body: string): { entries: RegistryErrorEntry[]; details?: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { errors, details } = parsed as { errors?: unknown; details?: unknown };
  // an old irregular form: {"details": "..."}
  if (typeof details === 'string' && details !== '') return { entries: [], details };
  if (!Array.isArray(errors)) return undefined;
  const entries: RegistryErrorEntry[] = [];
  for (const e of errors) {
    if (typeof e !== 'object' || e === null) continue;
    const { code, message, detail } = e as { code?: unknown; message?: unknown; detail?: unknown };
    if (typeof code !== 'string') continue;
    entries.push({
      code,
      message: typeof message === 'string' ? message : '',
      ...(detail === undefined ? {} : { detail }),
    });
  }
  return { entries };
}

/** RFC 6750 errors in a bearer challenge, which containers/image prefers to the body on a 401. */
function bearerError(response: RegistryErrorResponse): RegistryErrorEntry | undefined {
  const header = response.headers?.['www-authenticate'];
  if (header === undefined || response.status !== 401) return undefined;
  try {
    for (const c of parseWwwAuthenticate(header)) {
      const error = c.params.error;
      if (c.scheme !== 'bearer' || (error !== 'invalid_token' && error !== 'insufficient_scope')) continue;
      const code = error === 'invalid_token' ? 'UNAUTHORIZED' : 'DENIED';
      return { code, message: c.params.error_description || (DEFAULT_MESSAGES.get(code) ?? '') };
    }
  } catch {
    // a malformed challenge says nothing more than the status
  }
  return undefined;
}

function describeEntry(entry: RegistryErrorEntry): string {
  const message = clean(entry.message);
  const defaultMessage = DEFAULT_MESSAGES.get(entry.code);
  if (message === '') return defaultMessage ?? clean(entry.code.toLowerCase().replaceAll('_', ' '));
  if (message === defaultMessage) return message;
  return `${clean(entry.code.toLowerCase().replaceAll('_', ' '), 60)}: ${message}`;
}

/**
 * Builds the error for a registry's non-success response, as containers/image reports it:
 * `reading manifest latest in 127.0.0.1:5000/foo: manifest unknown`. The code comes from the first
 * distribution error entry the body holds (`MANIFEST_UNKNOWN` → `ERR_MANIFEST_UNKNOWN`, `DIGEST_INVALID` →
 * `ERR_DIGEST_MISMATCH`…), else from the status read with `kind` (a bare 404 on a manifest is
 * `ERR_MANIFEST_UNKNOWN`, on a blob `ERR_BLOB_UNKNOWN`, on the catalog `ERR_NOT_IMPLEMENTED`). A 401 is
 * `ERR_UNAUTHORIZED`, except a bearer `error="insufficient_scope"`, which is `ERR_DENIED`; 403 is
 * `ERR_DENIED`; 429 and 5xx are `ERR_IO`. A malformed or non-JSON body is shown cleaned and cut to 200
 * characters; headers are never shown.
 *
 * @param what - What was being done, e.g. `reading manifest latest in docker.io/library/busybox`.
 * @param kind - What the request was about, to read a 404 without error entries.
 *
 * @example
 * ```ts
 * throw registryErrorFrom({ status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}' },
 *   'reading manifest latest in 127.0.0.1:5000/foo', 'manifest');
 * ```
 */
export function registryErrorFrom(
  response: RegistryErrorResponse,
  what: string,
  kind: RegistryErrorKind = 'other',
): RegistryError {
  const { status } = response;
  const body = response.body ?? '';
  const parsed = body.trim() === '' ? { entries: [] } : entriesOf(body);
  const entries = parsed?.entries ?? [];
  const primary = bearerError(response) ?? entries[0];
  let code: ImageErrorCode;
  if (status === 401 || status === 403) {
    // the status is authoritative for access errors; the entry only refines 401 into "denied"
    code = status === 401 && primary?.code === 'DENIED' ? 'ERR_DENIED' : codeFromStatus(status, kind);
  } else {
    code = (primary && codeFromEntry(primary.code, kind)) ?? codeFromStatus(status, kind);
  }
  let detail: string;
  if (primary !== undefined) detail = describeEntry(primary);
  else if (parsed?.details !== undefined) detail = clean(parsed.details);
  else {
    const statusText = STATUS_CODES[status];
    detail = `received unexpected HTTP status: ${status}${statusText === undefined ? '' : ` ${statusText}`}`;
    const text = clean(body);
    if (text !== '') detail += ` "${text}"`;
  }
  // a server error or a rate limit may be gone when the operation is tried again
  const transient = status >= 500 || status === 429 || status === 408;
  return new RegistryError(code, `${what}: ${detail}`, status, entries, transient ? { transient } : undefined);
}
