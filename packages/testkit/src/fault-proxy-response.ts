import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExchangeRecord } from './fault-proxy-answer.ts';
import { cutSocketAfterFlush } from './fault-proxy-cut.ts';
import { endToEndHeaders, headerValue, type RawHeaders, withHeader } from './fault-proxy-headers.ts';
import type { FaultAction } from './fault-proxy-types.ts';

/**
 * Sends the upstream's response to the client, streaming its body chunk by chunk under back-pressure, and
 * applies the response faults of `action` on the way.
 */
export function sendResponse(
  upstreamRes: IncomingMessage,
  res: ServerResponse,
  action: FaultAction | undefined,
  record: ExchangeRecord,
): void {
  const status = upstreamRes.statusCode ?? 502;
  const headers = endToEndHeaders(upstreamRes.rawHeaders);
  const plan = planBody(headers, action);
  res.writeHead(status, upstreamRes.statusMessage, plan.headers);
  record.status = status;
  pumpBody(upstreamRes, res, plan).catch(() => {
    // the upstream died mid-body: the client sees the same broken response it would see without the proxy
    res.destroy();
  });
}

interface BodyPlan {
  readonly headers: RawHeaders;
  /** How many body bytes to send at most. */
  readonly limit: number;
  /** What to do at the limit (or at the end of a shorter body): end the message, or cut the connection. */
  readonly atLimit: 'end' | 'reset' | 'close';
  /** The body offset of the byte to invert, or -1. */
  readonly corruptAt: number;
}

function planBody(headers: RawHeaders, action: FaultAction | undefined): BodyPlan {
  const plain: BodyPlan = { headers, limit: Number.POSITIVE_INFINITY, atLimit: 'end', corruptAt: -1 };
  switch (action?.kind) {
    case 'header':
      return { ...plain, headers: withHeader(headers, action.name, action.value) };
    case 'corrupt-response':
      return { ...plain, corruptAt: action.atByte };
    case 'reset-response':
      return { ...plain, limit: action.afterBytes, atLimit: 'reset' };
    case 'truncate-response':
      return { ...plain, limit: action.afterBytes, atLimit: 'close' };
    case 'wrong-content-length': {
      const announced = headerValue(headers, 'content-length');
      if (announced === undefined) return plain;
      const length = Math.max(0, Number(announced) + action.delta);
      // the framing is wrong now, so the connection cannot carry another exchange; a body longer than announced
      // is cut at the announced length, so the client gets a well-formed but short response
      const lying = [...withHeader(headers, 'Content-Length', String(length)), 'Connection', 'close'];
      return { ...plain, headers: lying, limit: action.delta < 0 ? length : Number.POSITIVE_INFINITY };
    }
    default:
      return plain;
  }
}

async function pumpBody(upstreamRes: IncomingMessage, res: ServerResponse, plan: BodyPlan): Promise<void> {
  const { limit, corruptAt } = plan;
  let sent = 0;
  if (sent < limit) {
    for await (const chunk of upstreamRes as AsyncIterable<Buffer>) {
      let piece = chunk.byteLength > limit - sent ? chunk.subarray(0, limit - sent) : chunk;
      if (corruptAt >= sent && corruptAt < sent + piece.byteLength) {
        piece = Buffer.from(piece);
        piece[corruptAt - sent] = (piece[corruptAt - sent] ?? 0) ^ 0xff;
      }
      sent += piece.byteLength;
      if (!res.write(piece) && sent < limit) await drainedOrClosed(res);
      if (res.destroyed || sent >= limit) break; // leaving the loop destroys the upstream response
    }
  }
  if (plan.atLimit === 'end') {
    res.end();
    return;
  }
  // the body may be shorter than the limit: the message is still never completed
  const socket = res.socket;
  if (socket === null || res.destroyed) return;
  res.flushHeaders();
  cutSocketAfterFlush(socket, plan.atLimit);
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
