/**
 * When and how long to wait before retrying a failed registry request. Defaults follow containers/common
 * `pkg/retry` (what skopeo's `--retry-times` and `--retry-delay` feed): exponential backoff of 2^attempt
 * seconds with up to 10 % jitter, or a fixed delay when one is given.
 */
export interface RetryPolicy {
  /** How many times to retry after the first failure (skopeo `--retry-times`; skopeo 1.9 defaults to 0). */
  readonly maxRetries: number;
  /** A fixed delay between attempts (skopeo `--retry-delay`); when absent, the backoff is exponential. */
  readonly delayMs?: number;
  /**
   * The first delay of the exponential backoff, doubled on each attempt.
   * @default 1000
   */
  readonly baseDelayMs?: number;
  /**
   * The longest wait, whatever the backoff or the server's `Retry-After` asks for.
   * @default 60000
   */
  readonly maxDelayMs?: number;
}

/** skopeo's default: no retries unless `--retry-times` says so. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxRetries: 0 });

/**
 * containers/image retries every `429 Too Many Requests` on its own, whatever `--retry-times` says: up to 5
 * attempts, 2 s doubling, each wait capped at 60 s. Use this policy for 429s to behave the same way.
 */
export const RATE_LIMIT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxRetries: 4, baseDelayMs: 2000 });

/** Inputs of {@link retryDelay} that tests (or a caller with its own clock) may replace. */
export interface RetryDelayOptions {
  /**
   * The current time in milliseconds since the epoch, to evaluate an HTTP-date `Retry-After`.
   * @default Date.now()
   */
  readonly now?: number;
  /**
   * A source of uniform numbers in [0, 1) for the jitter; return 0 to disable it.
   * @default Math.random
   */
  readonly random?: () => number;
}

const DEFAULT_BASE_DELAY_MS = 1000;
const DEFAULT_MAX_DELAY_MS = 60_000;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Parses an HTTP-date (RFC 9110 section 5.6.7) in any of its three forms, always as GMT. `Date.parse` is not
 * used because it reads the asctime form in local time.
 */
function parseHttpDate(text: string, now: number): number | undefined {
  const imf = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(text);
  const rfc850 = /^[A-Za-z]+, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(text);
  const asctime = /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(text);
  let parts: (string | undefined)[];
  if (imf) parts = [imf[3], imf[2], imf[1], imf[4], imf[5], imf[6]];
  else if (rfc850) {
    // RFC 9110: a two-digit year more than 50 years in the future is in the past century
    const yy = Number(rfc850[3]);
    const century = 2000 + yy > new Date(now).getUTCFullYear() + 50 ? 1900 : 2000;
    parts = [String(century + yy), rfc850[2], rfc850[1], rfc850[4], rfc850[5], rfc850[6]];
  } else if (asctime) parts = [asctime[6], asctime[1], asctime[2], asctime[3], asctime[4], asctime[5]];
  else return undefined;
  const [year, month, day, hour, minute, second] = parts;
  const monthIndex = MONTHS.indexOf((month ?? '').toLowerCase());
  if (monthIndex < 0) return undefined;
  const time = Date.UTC(Number(year), monthIndex, Number(day), Number(hour), Number(minute), Number(second));
  return Number.isNaN(time) ? undefined : time;
}

/**
 * The delay a `Retry-After` header asks for, in milliseconds: delta-seconds or an HTTP-date. `undefined` when
 * the header is absent, malformed or names a time already past (as containers/image, which then falls back
 * to its own backoff).
 *
 * @example
 * ```ts
 * parseRetryAfter('120'); // 120000
 * ```
 */
export function parseRetryAfter(retryAfter: string | undefined, now: number = Date.now()): number | undefined {
  const text = retryAfter?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text, now);
  if (date === undefined || date <= now) return undefined;
  return date - now;
}

/**
 * How long to wait before retry number `attempt` (0 for the first retry), or `undefined` when the policy
 * says to give up. A valid `Retry-After` replaces the backoff; the result never exceeds `maxDelayMs` (60 s by
 * default, containers/image's cap: a registry asking for an hour would make a copy look hung, and a retry
 * that comes too early merely fails again).
 *
 * @example
 * ```ts
 * retryDelay({ maxRetries: 3 }, 0, undefined, { random: () => 0 }); // 1000
 * retryDelay({ maxRetries: 3 }, 2, undefined, { random: () => 0 }); // 4000
 * retryDelay({ maxRetries: 3 }, 3); // undefined: give up
 * ```
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfter?: string,
  options?: RetryDelayOptions,
): number | undefined {
  if (!Number.isInteger(attempt) || attempt < 0 || attempt >= policy.maxRetries) return undefined;
  const maxDelay = policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const asked = parseRetryAfter(retryAfter, options?.now ?? Date.now());
  const delay = asked ?? policy.delayMs ?? (policy.baseDelayMs ?? DEFAULT_BASE_DELAY_MS) * 2 ** attempt;
  // 10 % jitter, as containers/common, so that clients failing together do not retry together
  const jitter = Math.floor(delay * 0.1 * (options?.random ?? Math.random)());
  return Math.max(0, Math.min(delay + jitter, maxDelay));
}

/**
 * Whether an HTTP status is worth retrying: 408 Request Timeout, 429 Too Many Requests, 500, 502, 503 and
 * 504. containers/common retries 502 to 504, and 500 and 429 through their distribution error codes
 * (`UNKNOWN`, `TOOMANYREQUESTS`). A request with a body is only retryable when the body can be sent again.
 *
 * @example
 * ```ts
 * isRetryableStatus(503); // true
 * isRetryableStatus(404); // false
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 500 || (status >= 502 && status <= 504);
}

// System errors (containers/common isErrnoRetryable) and undici errors that say the connection, not the
// request, failed. Aborts (UND_ERR_ABORTED, AbortError) are deliberately absent.
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'EAI_AGAIN',
  'EAGAIN',
  'EBUSY',
  'EINTR',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * Whether an error from a request is a transient network failure worth retrying: a reset, refused or
 * timed-out connection, a socket closed early, or a body shorter than its `Content-Length`. It walks `cause`
 * chains and `AggregateError.errors` (Node's happy-eyeballs connect), so an `ImageError('ERR_IO')` wrapping a
 * reset is retryable too. An abort anywhere in the chain (including an
 * `AbortSignal.timeout` `TimeoutError`) makes it not retryable.
 *
 * @example
 * ```ts
 * isRetryableNetworkError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })); // true
 * ```
 */
export function isRetryableNetworkError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  let retryable = false;
  while (pending.length > 0 && seen.size < 32) {
    const current = pending.pop();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, name, cause, errors } = current as {
      code?: unknown;
      name?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (name === 'AbortError' || name === 'TimeoutError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR')
      return false;
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) retryable = true;
    if (cause !== undefined) pending.push(cause);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return retryable;
}

/**
 * Waits `ms` milliseconds. Rejects with `signal.reason`, unwrapped, as soon as the signal aborts (at once
 * if it already has), and leaves no timer or listener behind.
 *
 * @example
 * ```ts
 * await sleep(retryDelay(policy, attempt) ?? 0, signal);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
