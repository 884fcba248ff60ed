import { type Agent, type ClientRequest, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { ExchangeRecord } from './fault-proxy-answer.ts';
import { resetSocketSoon } from './fault-proxy-cut.ts';
import { endToEndHeaders } from './fault-proxy-headers.ts';
import { sendResponse } from './fault-proxy-response.ts';
import type { FaultAction } from './fault-proxy-types.ts';

/** Where and how the proxy forwards. */
export interface ForwardTarget {
  readonly hostname: string;
  readonly port: number;
  readonly agent: Agent;
}

/**
 * Forwards one exchange to the upstream, streaming both bodies, and applies `action` on the way. The client's
 * `Host` header is kept, so the upstream builds absolute URLs (`Location`) that point back at the proxy.
 */
export function forwardExchange(
  req: IncomingMessage,
  res: ServerResponse,
  action: FaultAction | undefined,
  record: ExchangeRecord,
  target: ForwardTarget,
): void {
  const upstreamReq = request({
    host: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: endToEndHeaders(req.rawHeaders),
    agent: target.agent,
    setHost: false,
  });
  let cut = false;
  // a client that goes away mid-exchange aborts the upstream exchange too, as it would without the proxy
  res.once('close', () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });
  upstreamReq.once('error', () => {
    if (cut) return;
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const body = 'fault proxy: upstream failed\n';
    res.writeHead(502, ['Content-Type', 'text/plain', 'Content-Length', String(body.length)]);
    record.status = 502;
    res.end(body);
  });
  upstreamReq.once('response', (upstreamRes) => {
    sendResponse(upstreamRes, res, action, record);
  });
  if (action?.kind === 'reset-request') {
    cutRequest(req, upstreamReq, action.afterBytes, () => {
      cut = true;
    });
  } else {
    req.pipe(upstreamReq);
  }
}

/**
 * Forwards the first `afterBytes` bytes of the request body, then drops the upstream connection (which sees an
 * aborted request) and resets the client's.
 */
function cutRequest(req: IncomingMessage, upstreamReq: ClientRequest, afterBytes: number, onCut: () => void): void {
  let received = 0;
  let cutting = false;
  const cutAfterFlush = (): void => {
    if (cutting) return;
    cutting = true;
    req.pause();
    req.removeListener('data', onData);
    // the write callback runs once the bytes (and the request head) reached the upstream socket
    upstreamReq.write(Buffer.alloc(0), () => {
      onCut();
      upstreamReq.destroy();
      resetSocketSoon(req.socket);
    });
  };
  const onData = (chunk: Buffer): void => {
    const piece = chunk.subarray(0, afterBytes - received);
    received += piece.byteLength;
    const flowing = piece.byteLength === 0 || upstreamReq.write(piece);
    if (received >= afterBytes) {
      cutAfterFlush();
    } else if (!flowing) {
      req.pause();
      upstreamReq.once('drain', () => req.resume());
    }
  };
  upstreamReq.flushHeaders();
  if (afterBytes === 0) {
    cutAfterFlush();
    return;
  }
  req.on('data', onData);
  req.once('end', cutAfterFlush);
}
