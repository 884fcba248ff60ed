import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy } from './fault-proxy.ts';
import type { FaultProxy } from './fault-proxy-types.ts';
import {
  patternBytes,
  rawHeader,
  sendRequest,
  startTestUpstream,
  type TestUpstream,
} from './fault-proxy-upstream.test.helper.ts';

describe('fault proxy faults', () => {
  let upstream: TestUpstream;
  let proxy: FaultProxy;
  beforeEach(async () => {
    upstream = await startTestUpstream();
    proxy = await startFaultProxy({ upstream: upstream.url });
  });
  afterEach(async () => {
    await proxy.close();
    await upstream.close();
  });

  it('status: answers without forwarding, after draining the request body', async () => {
    proxy.addFault({
      method: 'PUT',
      action: { kind: 'status', status: 503, headers: { 'X-Why': 'test' }, body: '{"errors":[]}' },
    });
    const outcome = await sendRequest(`${proxy.url}/upload`, { method: 'PUT', body: patternBytes(300_000) });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe(503);
    expect(rawHeader(outcome.rawHeaders, 'x-why')).toBe('test');
    expect(outcome.body.toString()).toBe('{"errors":[]}');
    expect(upstream.exchanges).toHaveLength(0);
    expect(proxy.requests()).toEqual([{ method: 'PUT', path: '/upload', status: 503, fault: 'status' }]);
  });

  it('retry-after and redirect answer 429 and 307 without forwarding', async () => {
    proxy.addFault({ action: { kind: 'retry-after', seconds: 7 } });
    proxy.addFault({ after: 1, action: { kind: 'redirect', location: 'http://elsewhere.invalid/blob' } });
    proxy.addFault({ after: 2, action: { kind: 'redirect', location: '/other', status: 302 } });
    const limited = await sendRequest(`${proxy.url}/bytes/10`);
    expect(limited.status).toBe(429);
    expect(rawHeader(limited.rawHeaders, 'retry-after')).toBe('7');
    const moved = await sendRequest(`${proxy.url}/bytes/10`);
    expect(moved.status).toBe(307);
    expect(rawHeader(moved.rawHeaders, 'location')).toBe('http://elsewhere.invalid/blob');
    const found = await sendRequest(`${proxy.url}/bytes/10`);
    expect([found.status, rawHeader(found.rawHeaders, 'location')]).toEqual([302, '/other']);
    expect(upstream.exchanges).toHaveLength(0);
  });

  it('reset-response: the client gets afterBytes bytes, then ECONNRESET', async () => {
    proxy.addFault({ action: { kind: 'reset-response', afterBytes: 1000 } });
    const outcome = await sendRequest(`${proxy.url}/bytes/200000`);
    expect(outcome.status).toBe(200);
    expect(outcome.error?.code).toBe('ECONNRESET');
    expect(outcome.body.equals(patternBytes(1000))).toBe(true);
    expect(proxy.requests()[0]).toEqual({ method: 'GET', path: '/bytes/200000', status: 200, fault: 'reset-response' });
  });

  it('reset-request: the upstream sees afterBytes bytes of an aborted request, the client a socket error', async () => {
    proxy.addFault({ method: 'PUT', action: { kind: 'reset-request', afterBytes: 1000 } });
    const outcome = await sendRequest(`${proxy.url}/upload`, { method: 'PUT', body: patternBytes(200_000) });
    expect(outcome.status).toBeUndefined();
    expect(outcome.error?.code).toMatch(/^(ECONNRESET|EPIPE)$/);
    await upstream.waitForExchanges(1);
    expect(upstream.exchanges[0]).toMatchObject({ method: 'PUT', url: '/upload', bodyBytes: 1000, complete: false });
    expect(proxy.requests()).toEqual([{ method: 'PUT', path: '/upload', status: 0, fault: 'reset-request' }]);
  });

  it('reset-request with afterBytes 0 cuts right after the request head', async () => {
    proxy.addFault({ action: { kind: 'reset-request', afterBytes: 0 } });
    const outcome = await sendRequest(`${proxy.url}/upload`, { method: 'PUT', body: patternBytes(50_000) });
    expect(outcome.error).toBeDefined();
    await upstream.waitForExchanges(1);
    expect(upstream.exchanges[0]).toMatchObject({ bodyBytes: 0, complete: false });
  });

  it('truncate-response: original Content-Length, afterBytes bytes, then a premature close', async () => {
    proxy.addFault({ action: { kind: 'truncate-response', afterBytes: 1000 } });
    const outcome = await sendRequest(`${proxy.url}/bytes/200000`);
    expect(outcome.status).toBe(200);
    expect(rawHeader(outcome.rawHeaders, 'content-length')).toBe('200000');
    expect(outcome.error?.message).toBe('aborted');
    expect(outcome.body.equals(patternBytes(1000))).toBe(true);
  });

  it('truncate-response of a chunked body never sends the last chunk', async () => {
    proxy.addFault({ action: { kind: 'truncate-response', afterBytes: 100 } });
    const outcome = await sendRequest(`${proxy.url}/chunked/5000`);
    expect(outcome.error).toBeDefined();
    expect(outcome.body.equals(patternBytes(100))).toBe(true);
  });

  it('stall: the client times out with its AbortSignal; the upstream sees nothing', async () => {
    proxy.addFault({ action: { kind: 'stall', ms: 60_000 } });
    const started = Date.now();
    const outcome = await sendRequest(`${proxy.url}/bytes/10`, { signal: AbortSignal.timeout(150) });
    expect(outcome.error?.name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(upstream.exchanges).toHaveLength(0);
    expect(proxy.requests()).toEqual([{ method: 'GET', path: '/bytes/10', status: 0, fault: 'stall' }]);
  });

  it('stall: forwards once the time is up, and ends when the proxy closes', async () => {
    proxy.addFault({ action: { kind: 'stall', ms: 200 } });
    const started = Date.now();
    const late = await sendRequest(`${proxy.url}/bytes/10`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(late.body.equals(patternBytes(10))).toBe(true);
    proxy.addFault({ action: { kind: 'stall', ms: 60_000 } });
    const pending = sendRequest(`${proxy.url}/bytes/10`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await proxy.close();
    expect((await pending).error).toBeDefined();
  });

  it('wrong-content-length: announces more (premature close) or less (body cut at the announced length)', async () => {
    proxy.addFault({ action: { kind: 'wrong-content-length', delta: 10 } });
    proxy.addFault({ after: 1, action: { kind: 'wrong-content-length', delta: -10 } });
    const more = await sendRequest(`${proxy.url}/bytes/1000`);
    expect(rawHeader(more.rawHeaders, 'content-length')).toBe('1010');
    expect(more.error).toBeDefined();
    expect(more.body.equals(patternBytes(1000))).toBe(true);
    const less = await sendRequest(`${proxy.url}/bytes/1000`);
    expect(rawHeader(less.rawHeaders, 'content-length')).toBe('990');
    expect(less.body.equals(patternBytes(990))).toBe(true);
  });

  it('header: overwrites or removes a response header', async () => {
    const lie = `sha256:${'0'.repeat(64)}`;
    proxy.addFault({ action: { kind: 'header', name: 'Docker-Content-Digest', value: lie } });
    proxy.addFault({ after: 1, action: { kind: 'header', name: 'docker-content-digest', value: null } });
    const lying = await sendRequest(`${proxy.url}/bytes/10`);
    expect(rawHeader(lying.rawHeaders, 'docker-content-digest')).toBe(lie);
    expect(lying.rawHeaders.filter((name) => name.toLowerCase() === 'docker-content-digest')).toHaveLength(1);
    const missing = await sendRequest(`${proxy.url}/bytes/10`);
    expect(rawHeader(missing.rawHeaders, 'docker-content-digest')).toBeUndefined();
    expect(missing.body.equals(patternBytes(10))).toBe(true);
  });

  it('corrupt-response: inverts exactly one byte of the body', async () => {
    proxy.addFault({ action: { kind: 'corrupt-response', atByte: 70_000 } });
    const outcome = await sendRequest(`${proxy.url}/bytes/100000`);
    const expected = patternBytes(100_000);
    expected[70_000] = (expected[70_000] ?? 0) ^ 0xff;
    expect(outcome.error).toBeUndefined();
    expect(outcome.body.equals(expected)).toBe(true);
  });

  it('counts each rule on its own: after skips, times limits, method and path filter', async () => {
    proxy.addFault({ method: 'GET', path: '/bytes/1', after: 1, times: 2, action: { kind: 'status', status: 500 } });
    proxy.addFault({ path: /^\/bytes\/2\?try=/, action: { kind: 'status', status: 502 } });
    const statuses: (number | undefined)[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await sendRequest(`${proxy.url}/bytes/1`)).status);
    statuses.push((await sendRequest(`${proxy.url}/bytes/1`, { method: 'HEAD' })).status);
    statuses.push((await sendRequest(`${proxy.url}/bytes/2`)).status);
    statuses.push((await sendRequest(`${proxy.url}/bytes/2?try=1`)).status);
    statuses.push((await sendRequest(`${proxy.url}/bytes/2?try=2`)).status);
    expect(statuses).toEqual([200, 500, 500, 200, 200, 200, 502, 200]);
    expect(proxy.requests().map((r) => r.fault)).toEqual([
      undefined,
      'status',
      'status',
      undefined,
      undefined,
      undefined,
      'status',
      undefined,
    ]);
  });

  it('a rule whose turn it is counts even when an earlier rule applies; clearFaults removes all', async () => {
    proxy.addFault({ action: { kind: 'status', status: 500 } });
    proxy.addFault({ times: 2, action: { kind: 'status', status: 503 } });
    proxy.addFault({ times: Number.POSITIVE_INFINITY, after: 3, action: { kind: 'status', status: 504 } });
    const statuses: (number | undefined)[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await sendRequest(`${proxy.url}/bytes/1`)).status);
    expect(statuses).toEqual([500, 503, 503, 504, 504]);
    proxy.clearFaults();
    expect((await sendRequest(`${proxy.url}/bytes/1`)).status).toBe(200);
  });
});
