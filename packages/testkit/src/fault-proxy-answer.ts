import type { IncomingMessage, ServerResponse } from 'node:http';
import { rawFromRecord } from './fault-proxy-headers.ts';
import type { FaultAction } from './fault-proxy-types.ts';

/** The entry of one exchange in the log, filled in as the exchange goes. */
export interface ExchangeRecord {
  status: number;
}

/** The faults answered by the proxy itself, without the upstream. */
export type LocalAnswer = Extract<FaultAction, { kind: 'status' | 'retry-after' | 'redirect' }>;

/** Tells whether `action` is answered by the proxy itself. */
export function isLocalAnswer(action: FaultAction | undefined): action is LocalAnswer {
  return action?.kind === 'status' || action?.kind === 'retry-after' || action?.kind === 'redirect';
}

/**
 * Reads the request body to its end and throws it away. Resolves `true` at the end, `false` when the client
 * went away first.
 */
export function drainRequest(req: IncomingMessage): Promise<boolean> {
  if (req.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    req.once('end', () => resolve(true));
    req.once('close', () => resolve(req.readableEnded));
    req.resume();
  });
}

/** Answers `action` once the request body is drained, as a server that read the whole request would. */
export async function answerLocally(
  req: IncomingMessage,
  res: ServerResponse,
  action: LocalAnswer,
  record: ExchangeRecord,
): Promise<void> {
  if (!(await drainRequest(req))) return;
  const { status, headers, body } = describeAnswer(action);
  const bytes = Buffer.from(body);
  res.writeHead(status, [...headers, 'Content-Length', String(bytes.byteLength)]);
  record.status = status;
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function describeAnswer(action: LocalAnswer): { status: number; headers: string[]; body: string } {
  switch (action.kind) {
    case 'status':
      return { status: action.status, headers: rawFromRecord(action.headers ?? {}), body: action.body ?? '' };
    case 'retry-after':
      return { status: 429, headers: ['Retry-After', String(action.seconds)], body: '' };
    case 'redirect':
      return { status: action.status ?? 307, headers: ['Location', action.location], body: '' };
  }
}
