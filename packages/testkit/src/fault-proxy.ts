import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ImageError } from '@ferry/types';
import { answerLocally, isLocalAnswer } from './fault-proxy-answer.ts';
import { type ForwardTarget, forwardExchange } from './fault-proxy-forward.ts';
import { createFaultRules, type FaultRules } from './fault-proxy-rules.ts';
import type { FaultKind, FaultProxy, FaultProxyOptions } from './fault-proxy-types.ts';

interface LogEntry {
  method: string;
  path: string;
  status: number;
  fault?: FaultKind;
}

interface ProxyState {
  readonly rules: FaultRules;
  readonly log: LogEntry[];
  readonly target: ForwardTarget;
  readonly closing: AbortSignal;
}

/**
 * Starts an HTTP proxy on 127.0.0.1 in front of `upstream` that forwards every exchange faithfully (method,
 * path and query, every header including `Host` and `Authorization`, both bodies streamed, keep-alive) except
 * those matched by the rules added with `addFault`, which get the fault asked for. The client's `Host` header
 * reaches the upstream unchanged, so a registry builds its upload `Location` URLs pointing back at the proxy.
 *
 * @example
 * ```ts
 * await using proxy = await startFaultProxy({ upstream: registry.url });
 * proxy.addFault({ method: 'PATCH', times: 2, action: { kind: 'status', status: 503 } });
 * proxy.addFault({ method: 'GET', path: /\/blobs\//, action: { kind: 'reset-response', afterBytes: 1000 } });
 * await copyImage(`docker://${proxy.host}/test/image:v1`, 'oci:/tmp/out:v1');
 * expect(proxy.requests().filter((r) => r.fault !== undefined)).toHaveLength(3);
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { signal } = options;
  signal?.throwIfAborted();
  const upstream = parseUpstream(options.upstream);
  const agent = new Agent({ keepAlive: true });
  const closing = new AbortController();
  const state: ProxyState = {
    rules: createFaultRules(),
    log: [],
    target: { ...upstream, agent },
    closing: closing.signal,
  };
  // no request timeout: a stall or a slow upload is the test's business, not a fault of the proxy's own
  const server = createServer({ requestTimeout: 0 }, (req, res) => {
    handleExchange(req, res, state).catch(() => res.destroy());
  });
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      signal?.removeEventListener('abort', onAbort);
      closing.abort();
      server.close(() => resolve());
      server.closeAllConnections();
      agent.destroy();
    });
    return closed;
  };
  const onAbort = (): void => void close();
  try {
    await listen(server, signal);
  } catch (error) {
    await close();
    throw error;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${host}`,
    host,
    addFault: (rule) => state.rules.add(rule),
    clearFaults: () => state.rules.clear(),
    requests: () => state.log.map((entry) => ({ ...entry })),
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function handleExchange(req: IncomingMessage, res: ServerResponse, state: ProxyState): Promise<void> {
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  const action = state.rules.pick(method, target);
  const queryAt = target.indexOf('?');
  const entry: LogEntry = { method, path: queryAt < 0 ? target : target.slice(0, queryAt), status: 0 };
  if (action !== undefined) entry.fault = action.kind;
  state.log.push(entry);
  if (isLocalAnswer(action)) return answerLocally(req, res, action, entry);
  if (action?.kind === 'stall' && !(await stall(action.ms, res, state.closing))) return;
  forwardExchange(req, res, action, entry, state.target);
}

/** Waits `ms`; resolves `false` instead when the client goes away or the proxy closes first. */
function stall(ms: number, res: ServerResponse, closing: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (elapsed: boolean): void => {
      clearTimeout(timer);
      res.off('close', onGone);
      closing.removeEventListener('abort', onGone);
      resolve(elapsed);
    };
    const onGone = (): void => finish(false);
    const timer = setTimeout(() => finish(!closing.aborted), ms);
    res.once('close', onGone);
    closing.addEventListener('abort', onGone, { once: true });
  });
}

function parseUpstream(upstream: string): { hostname: string; port: number } {
  let url: URL;
  try {
    url = new URL(upstream);
  } catch (cause) {
    throw new ImageError('ERR_INVALID_ARGUMENT', 'fault proxy upstream is not a URL', { cause });
  }
  if (url.protocol !== 'http:') {
    throw new ImageError('ERR_INVALID_ARGUMENT', `fault proxy upstream must be http://, got ${url.protocol}`);
  }
  return { hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 80) };
}

function listen(server: Server, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    server.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new ImageError('ERR_IO', `fault proxy cannot listen on 127.0.0.1`, { cause: error }));
    });
    server.listen(0, '127.0.0.1', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
