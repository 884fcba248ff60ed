import { Agent } from 'node:http';
import { isImageError } from '@ferry/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy } from './fault-proxy.ts';
import type { FaultProxy } from './fault-proxy-types.ts';
import {
  patternBytes,
  rawHeader,
  sendRequest,
  startTestUpstream,
  type TestUpstream,
  type UpstreamExchange,
} from './fault-proxy-upstream.test.helper.ts';

describe('startFaultProxy forwarding', () => {
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

  it('forwards method, path, query, headers (Host and Authorization included) and body unchanged', async () => {
    const body = patternBytes(5000);
    const outcome = await sendRequest(`${proxy.url}/v2/a/blobs/uploads/?digest=sha256:00&_state=secret-state`, {
      method: 'PUT',
      headers: { Authorization: 'Bearer top-secret-token', Range: 'bytes=0-99', 'X-Custom': 'kept' },
      body,
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe(200);
    const seen = JSON.parse(outcome.body.toString('utf8')) as UpstreamExchange;
    expect(seen.method).toBe('PUT');
    expect(seen.url).toBe('/v2/a/blobs/uploads/?digest=sha256:00&_state=secret-state');
    expect(rawHeader(seen.rawHeaders, 'host')).toBe(proxy.host);
    expect(rawHeader(seen.rawHeaders, 'authorization')).toBe('Bearer top-secret-token');
    expect(rawHeader(seen.rawHeaders, 'range')).toBe('bytes=0-99');
    expect(rawHeader(seen.rawHeaders, 'x-custom')).toBe('kept');
    expect(seen.bodyBytes).toBe(5000);
    expect(seen.complete).toBe(true);
    expect(proxy.requests()).toEqual([{ method: 'PUT', path: '/v2/a/blobs/uploads/', status: 200 }]);
    const log = JSON.stringify(proxy.requests());
    expect(log).not.toContain('top-secret-token');
    expect(log).not.toContain('secret-state');
  });

  it('forwards response status, headers and bodies, with or without Content-Length', async () => {
    const sized = await sendRequest(`${proxy.url}/bytes/70000`);
    expect(sized.status).toBe(200);
    expect(rawHeader(sized.rawHeaders, 'content-length')).toBe('70000');
    expect(rawHeader(sized.rawHeaders, 'docker-content-digest')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sized.body.equals(patternBytes(70000))).toBe(true);
    const chunked = await sendRequest(`${proxy.url}/chunked/70000`);
    expect(rawHeader(chunked.rawHeaders, 'content-length')).toBeUndefined();
    expect(rawHeader(chunked.rawHeaders, 'transfer-encoding')).toBe('chunked');
    expect(chunked.body.equals(patternBytes(70000))).toBe(true);
    const head = await sendRequest(`${proxy.url}/bytes/70000`, { method: 'HEAD' });
    expect(head.error).toBeUndefined();
    expect(rawHeader(head.rawHeaders, 'content-length')).toBe('70000');
    expect(head.body.byteLength).toBe(0);
  });

  it('keeps connections alive on both sides', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        const outcome = await sendRequest(`${proxy.url}/bytes/10`, { agent });
        expect(outcome.status).toBe(200);
      }
      expect(upstream.connections()).toBe(1);
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
    } finally {
      agent.destroy();
    }
  });

  it('answers 502 when the upstream is unreachable', async () => {
    const dead = await startTestUpstream();
    await dead.close();
    await using lonely = await startFaultProxy({ upstream: dead.url });
    const outcome = await sendRequest(`${lonely.url}/v2/`);
    expect(outcome.status).toBe(502);
    expect(lonely.requests()).toEqual([{ method: 'GET', path: '/v2/', status: 502 }]);
  });

  it('passes upstream Location headers built from Host, so they point back at the proxy', async () => {
    const registryLike = await startTestUpstream((req, res) => {
      res.writeHead(202, { Location: `http://${req.headers.host}/v2/a/blobs/uploads/u1?_state=s` });
      res.end();
    });
    try {
      await using front = await startFaultProxy({ upstream: registryLike.url });
      const outcome = await sendRequest(`${front.url}/v2/a/blobs/uploads/`, { method: 'POST' });
      expect(outcome.status).toBe(202);
      expect(rawHeader(outcome.rawHeaders, 'location')).toBe(`${front.url}/v2/a/blobs/uploads/u1?_state=s`);
    } finally {
      await registryLike.close();
    }
  });
});

describe('startFaultProxy lifecycle', () => {
  it('rejects an upstream that is not an http:// URL', async () => {
    for (const upstream of ['not a url', 'https://127.0.0.1:5000']) {
      await expect(startFaultProxy({ upstream })).rejects.toSatisfy((e) => isImageError(e, 'ERR_INVALID_ARGUMENT'));
    }
  });

  it('rejects with signal.reason when aborted before the start, and closes when aborted later', async () => {
    const reason = new Error('stop');
    await expect(startFaultProxy({ upstream: 'http://127.0.0.1:1', signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
    const upstream = await startTestUpstream();
    try {
      const controller = new AbortController();
      const proxy = await startFaultProxy({ upstream: upstream.url, signal: controller.signal });
      expect((await sendRequest(`${proxy.url}/bytes/1`)).status).toBe(200);
      controller.abort();
      await proxy.close();
      expect((await sendRequest(`${proxy.url}/bytes/1`)).error?.code).toBe('ECONNREFUSED');
    } finally {
      await upstream.close();
    }
  });

  it('refuses invalid rules with ERR_INVALID_ARGUMENT', async () => {
    await using proxy = await startFaultProxy({ upstream: 'http://127.0.0.1:1' });
    const invalid = [
      { times: -1, action: { kind: 'status', status: 500 } },
      { after: 1.5, action: { kind: 'status', status: 500 } },
      { action: { kind: 'status', status: 99 } },
      { action: { kind: 'stall', ms: -5 } },
      { action: { kind: 'header', name: 'Bad Name', value: 'x' } },
      { action: { kind: 'header', name: 'X', value: 'a\r\nInjected: 1' } },
      { action: { kind: 'explode' } },
    ] as const;
    for (const rule of invalid) {
      expect(() => proxy.addFault(rule as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', name: 'ImageError' }),
      );
    }
  });
});
