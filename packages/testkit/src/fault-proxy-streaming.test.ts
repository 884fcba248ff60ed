import { createHash } from 'node:crypto';
import { type IncomingMessage, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startFaultProxy } from './fault-proxy.ts';
import { sendRequest, startTestUpstream } from './fault-proxy-upstream.test.helper.ts';
import { pseudoRandomStream } from './streams.ts';

const BIG = 64 << 20;

async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

function get(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request(url, { agent: false }, resolve).once('error', reject).end());
}

/** Fails instead of hanging when a proxy that buffers would deadlock. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('fault proxy streaming', () => {
  it('sends response bytes before the upstream finished its body', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const upstream = await startTestUpstream((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(128 << 10) });
      res.write(Buffer.alloc(64 << 10, 1));
      // the rest only comes once the client has seen the first part through the proxy
      void released.then(() => res.end(Buffer.alloc(64 << 10, 2)));
    });
    await using proxy = await startFaultProxy({ upstream: upstream.url });
    try {
      const res = await get(`${proxy.url}/blob`);
      const iterator = res[Symbol.asyncIterator]();
      const first = await within(iterator.next() as Promise<IteratorResult<Buffer>>, 5000, 'the first body bytes');
      expect(first.value?.[0]).toBe(1);
      release();
      let total = first.value?.byteLength ?? 0;
      for (let step = await iterator.next(); !step.done; step = await iterator.next()) total += step.value.byteLength;
      expect(total).toBe(128 << 10);
    } finally {
      release();
      await upstream.close();
    }
  });

  it('forwards request bytes before the client finished its body', async () => {
    let firstSeen: () => void = () => undefined;
    const upstreamSawBytes = new Promise<void>((resolve) => {
      firstSeen = resolve;
    });
    const upstream = await startTestUpstream((req, res, body) => {
      req.once('data', () => firstSeen());
      void body.then((exchange) => res.end(String(exchange.bodyBytes)));
    });
    await using proxy = await startFaultProxy({ upstream: upstream.url });
    try {
      async function* upload(): AsyncGenerator<Uint8Array> {
        yield Buffer.alloc(64 << 10, 1);
        await within(upstreamSawBytes, 5000, 'the upstream seeing the first request bytes');
        yield Buffer.alloc(64 << 10, 2);
      }
      const outcome = await sendRequest(`${proxy.url}/upload`, { method: 'PUT', body: upload() });
      expect(outcome.error).toBeUndefined();
      expect(outcome.body.toString()).toBe(String(128 << 10));
    } finally {
      await upstream.close();
    }
  });

  it('passes 64 MiB each way unchanged, under back-pressure', { timeout: 120_000 }, async () => {
    const expected = await sha256Of(pseudoRandomStream(BIG, 42));
    // bytes one side produced minus bytes the other side consumed: what sits in the proxy and socket buffers
    const flow = { produced: 0, consumed: 0, maxLag: 0 };
    const track = (): void => {
      flow.maxLag = Math.max(flow.maxLag, flow.produced - flow.consumed);
    };
    const upstream = await startTestUpstream((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'Content-Length': String(BIG) });
        void (async () => {
          for await (const chunk of pseudoRandomStream(BIG, 42, 256 << 10)) {
            flow.produced += chunk.byteLength;
            track();
            if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
          }
          res.end();
        })();
        return;
      }
      void (async () => {
        const hash = createHash('sha256');
        for await (const chunk of req as AsyncIterable<Buffer>) {
          flow.consumed += chunk.byteLength;
          hash.update(chunk);
          await new Promise((resolve) => setImmediate(resolve)); // a slow reader
        }
        res.end(hash.digest('hex'));
      })();
    });
    await using proxy = await startFaultProxy({ upstream: upstream.url });
    try {
      async function* counted(): AsyncGenerator<Uint8Array> {
        for await (const chunk of pseudoRandomStream(BIG, 42, 256 << 10)) {
          flow.produced += chunk.byteLength;
          track();
          yield chunk;
        }
      }
      const outcome = await sendRequest(`${proxy.url}/upload`, {
        method: 'PUT',
        headers: { 'Content-Length': String(BIG) },
        body: counted(),
      });
      expect(outcome.body.toString()).toBe(expected);
      const uploadLag = flow.maxLag;
      Object.assign(flow, { produced: 0, consumed: 0, maxLag: 0 });
      const hash = createHash('sha256');
      for await (const chunk of (await get(`${proxy.url}/blob`)) as AsyncIterable<Buffer>) {
        flow.consumed += chunk.byteLength;
        hash.update(chunk);
        await new Promise((resolve) => setImmediate(resolve)); // a slow reader
      }
      expect(hash.digest('hex')).toBe(expected);
      // kernel socket buffers hold about 10 MiB here; a proxy that buffered, or ignored back-pressure, lets the
      // producer run 40 MiB and more ahead of this slow consumer
      expect(uploadLag).toBeLessThan(24 << 20);
      expect(flow.maxLag).toBeLessThan(24 << 20);
    } finally {
      await upstream.close();
    }
  });
});
