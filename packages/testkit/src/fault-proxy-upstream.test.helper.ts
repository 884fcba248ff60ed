// A small node:http upstream for the fault proxy's tests (named *.test.helper.ts: vitest does not run it and
// `files` in package.json keeps it out of the published package).
import { createHash } from 'node:crypto';
import { type Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the upstream saw of one request. */
export interface UpstreamExchange {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: readonly string[];
  readonly bodyBytes: number;
  readonly bodySha256: string;
  /** false when the connection dropped before the end of the body */
  readonly complete: boolean;
}

/** Answers one request; `body` settles once the request body was read (or the connection dropped). */
export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: Promise<UpstreamExchange>) => void;

/** A running test upstream. */
export interface TestUpstream {
  readonly url: string;
  /** Requests whose body ended or broke off, in that order. */
  readonly exchanges: UpstreamExchange[];
  /** How many connections the upstream accepted. */
  connections(): number;
  /** Resolves once `count` exchanges are recorded. */
  waitForExchanges(count: number): Promise<void>;
  close(): Promise<void>;
}

/** The header `name` (any case) in a raw list. */
export function rawHeader(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]?.toLowerCase() === name.toLowerCase()) return raw[i + 1];
  return undefined;
}

/** Deterministic bytes for bodies: byte i is i % 251. */
export function patternBytes(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = i % 251;
  return out;
}

/**
 * Starts the upstream. The default handler answers `GET` (or `HEAD`) `/bytes/N` with N pattern bytes and a Content-Length,
 * `GET /chunked/N` the same without one, and anything else with 200 and a JSON echo once the body is read.
 */
export async function startTestUpstream(handler: UpstreamHandler = defaultHandler): Promise<TestUpstream> {
  const exchanges: UpstreamExchange[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const hash = createHash('sha256');
    let bodyBytes = 0;
    const body = new Promise<UpstreamExchange>((resolve) => {
      const settle = (): void => {
        const exchange: UpstreamExchange = {
          method: req.method ?? '',
          url: req.url ?? '',
          rawHeaders: req.rawHeaders,
          bodyBytes,
          bodySha256: hash.digest('hex'),
          complete: req.complete,
        };
        exchanges.push(exchange);
        for (const wake of waiters) wake();
        resolve(exchange);
      };
      req.on('data', (chunk: Buffer) => {
        bodyBytes += chunk.byteLength;
        hash.update(chunk);
      });
      req.once('end', settle);
      req.once('error', () => undefined);
      req.once('close', () => {
        if (!req.complete) settle();
      });
    });
    handler(req, res, body);
  });
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    connections: () => connections,
    waitForExchanges: (count) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (exchanges.length < count) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function defaultHandler(req: IncomingMessage, res: ServerResponse, body: Promise<UpstreamExchange>): void {
  const sized = /^\/(bytes|chunked)\/(\d+)$/.exec(req.url ?? '');
  if ((req.method === 'GET' || req.method === 'HEAD') && sized !== null) {
    const bytes = patternBytes(Number(sized[2]));
    if (sized[1] === 'bytes') res.setHeader('Content-Length', bytes.byteLength);
    res.setHeader('Docker-Content-Digest', `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    if (sized[1] === 'chunked') res.write(bytes); // a write before end() keeps Node from adding a Content-Length
    res.end(sized[1] === 'chunked' ? undefined : bytes);
    return;
  }
  void body.then((exchange) => {
    if (!exchange.complete) {
      res.destroy();
      return;
    }
    const json = JSON.stringify(exchange);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
    res.end(json);
  });
}

/** What a node:http client got: the status and headers (if any), the body bytes read, and the error (if any). */
export interface ClientOutcome {
  readonly status: number | undefined;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly error: (Error & { code?: string }) | undefined;
}

/** Options of {@link sendRequest}. */
export interface SendRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | AsyncIterable<Uint8Array>;
  readonly signal?: AbortSignal;
  readonly agent?: Agent;
}

/** Sends one request with node:http and never rejects: failures come back in `error`. */
export function sendRequest(url: string, options: SendRequestOptions = {}): Promise<ClientOutcome> {
  return new Promise((resolve) => {
    let status: number | undefined;
    let rawHeaders: readonly string[] = [];
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (error?: Error): void => {
      if (settled) return;
      settled = true;
      resolve({ status, rawHeaders, body: Buffer.concat(chunks), error });
    };
    const req = request(url, {
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.agent === undefined ? { agent: false } : { agent: options.agent }),
    });
    req.once('error', done);
    req.once('response', (res) => {
      status = res.statusCode;
      rawHeaders = res.rawHeaders;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', done);
      res.once('end', () => done());
    });
    const body = options.body;
    if (body === undefined) {
      req.end();
    } else if (body instanceof Uint8Array) {
      req.end(body);
    } else {
      void (async () => {
        try {
          for await (const chunk of body) {
            if (!req.write(chunk)) {
              await new Promise((wake) => {
                req.once('drain', wake);
                req.once('close', wake);
              });
            }
            if (req.destroyed) return;
          }
          req.end();
        } catch (error) {
          req.destroy(error as Error);
        }
      })();
    }
  });
}
