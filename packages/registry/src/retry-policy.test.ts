import { createServer } from 'node:net';
import { ImageError } from '@ferry/types';
import { Agent, errors, request } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  RATE_LIMIT_RETRY_POLICY,
  retryDelay,
  sleep,
} from './retry-policy.ts';

const noJitter = { random: (): number => 0 };
const now = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('retryDelay', () => {
  it('backs off exponentially from 1 s, as containers/common, and gives up after maxRetries', () => {
    const policy = { maxRetries: 3 };
    expect([0, 1, 2, 3].map((a) => retryDelay(policy, a, undefined, noJitter))).toEqual([1000, 2000, 4000, undefined]);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 0)).toBeUndefined();
    expect(retryDelay(policy, -1)).toBeUndefined();
  });

  it('uses the fixed delay when one is given, and adds at most 10 % jitter', () => {
    expect(retryDelay({ maxRetries: 5, delayMs: 300 }, 4, undefined, noJitter)).toBe(300);
    expect(retryDelay({ maxRetries: 5, delayMs: 300 }, 4, undefined, { random: () => 0.999 })).toBe(329);
    const jittered = retryDelay({ maxRetries: 1 }, 0);
    expect(jittered).toBeGreaterThanOrEqual(1000);
    expect(jittered).toBeLessThan(1100);
  });

  it('caps the backoff at maxDelayMs', () => {
    expect(retryDelay({ maxRetries: 20 }, 10, undefined, noJitter)).toBe(60_000);
    expect(retryDelay({ maxRetries: 20, maxDelayMs: 5000 }, 3, undefined, noJitter)).toBe(5000);
  });

  it('matches containers/image 429 handling with RATE_LIMIT_RETRY_POLICY', () => {
    const delays = [0, 1, 2, 3, 4].map((a) => retryDelay(RATE_LIMIT_RETRY_POLICY, a, undefined, noJitter));
    expect(delays).toEqual([2000, 4000, 8000, 16000, undefined]);
  });

  it('honours Retry-After in seconds or as an HTTP-date, capped at 60 s', () => {
    const policy = { maxRetries: 2 };
    expect(retryDelay(policy, 0, '7', { now, ...noJitter })).toBe(7000);
    expect(retryDelay(policy, 0, '0', { now, ...noJitter })).toBe(0);
    expect(retryDelay(policy, 1, '3600', { now, ...noJitter })).toBe(60_000);
    expect(retryDelay(policy, 0, 'Thu, 01 Jan 2026 12:00:30 GMT', { now, ...noJitter })).toBe(30_000);
    // past dates and garbage fall back to the backoff
    expect(retryDelay(policy, 1, 'Thu, 01 Jan 2026 11:00:00 GMT', { now, ...noJitter })).toBe(2000);
    expect(retryDelay(policy, 1, 'soon', { now, ...noJitter })).toBe(2000);
    expect(retryDelay(policy, 2, '1', { now })).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads the three HTTP-date forms as GMT', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Thursday, 01-Jan-26 12:00:20 GMT', now)).toBe(20_000);
    expect(parseRetryAfter('Thu Jan  1 12:00:40 2026', now)).toBe(40_000);
  });

  it('rejects what is not delta-seconds or an HTTP-date', () => {
    for (const text of [undefined, '', '-5', '1.5', 'Thu, 01 Foo 2026 12:00:10 GMT', '2026-01-01T12:00:10Z']) {
      expect(parseRetryAfter(text, now)).toBeUndefined();
    }
    expect(parseRetryAfter(' 12 ', now)).toBe(12_000);
  });
});

describe('isRetryableStatus', () => {
  it('retries timeouts, rate limits and server failures only', () => {
    const statuses = [200, 400, 401, 403, 404, 408, 409, 416, 429, 500, 501, 502, 503, 504, 505];
    expect(statuses.filter(isRetryableStatus)).toEqual([408, 429, 500, 502, 503, 504]);
  });
});

describe('isRetryableNetworkError', () => {
  const sys = (code: string): Error => Object.assign(new Error(code), { code });

  it('recognises system and undici network errors', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE']) {
      expect(isRetryableNetworkError(sys(code))).toBe(true);
    }
    expect(isRetryableNetworkError(new errors.SocketError('other side closed'))).toBe(true);
    expect(isRetryableNetworkError(new errors.ConnectTimeoutError())).toBe(true);
    expect(isRetryableNetworkError(new errors.HeadersTimeoutError())).toBe(true);
    expect(isRetryableNetworkError(new errors.BodyTimeoutError())).toBe(true);
    expect(isRetryableNetworkError(new errors.ResponseContentLengthMismatchError())).toBe(true);
  });

  it('walks cause chains and aggregate errors', () => {
    const wrapped = new ImageError('ERR_IO', 'reading blob', {
      cause: new TypeError('fetch failed', { cause: sys('ECONNRESET') }),
    });
    expect(isRetryableNetworkError(wrapped)).toBe(true);
    expect(isRetryableNetworkError(new AggregateError([sys('ECONNREFUSED'), sys('ENETUNREACH')]))).toBe(true);
  });

  it('does not retry aborts, other errors or cycles', () => {
    expect(isRetryableNetworkError(new errors.RequestAbortedError())).toBe(false);
    expect(
      isRetryableNetworkError(Object.assign(sys('ECONNRESET'), { cause: new DOMException('x', 'AbortError') })),
    ).toBe(false);
    expect(isRetryableNetworkError(sys('ENOENT'))).toBe(false);
    expect(isRetryableNetworkError(new ImageError('ERR_DIGEST_MISMATCH', 'bad'))).toBe(false);
    expect(isRetryableNetworkError('ECONNRESET')).toBe(false);
    const a: { code: string; cause?: unknown } = { code: 'EX' };
    a.cause = { code: 'EY', cause: a };
    expect(isRetryableNetworkError(a)).toBe(false);
  });

  it('recognises what undici really throws when a server resets the connection', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const dispatcher = new Agent();
    try {
      const error = await request(`http://127.0.0.1:${port}/v2/`, { dispatcher }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeDefined();
      expect(isRetryableNetworkError(error)).toBe(true);
    } finally {
      await dispatcher.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const start = performance.now();
    await sleep(20);
    expect(performance.now() - start).toBeGreaterThanOrEqual(15);
  });

  it('rejects with the signal reason, unwrapped, when aborted before or during the wait', async () => {
    const reason = new Error('stop');
    await expect(sleep(10, AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});
