import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';

/** One request a {@link RecordingServer} received. */
export interface RecordedRequest {
  readonly method: string;
  /** The path with its query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** How the server answers: a status, headers and a body (JSON-encoded unless a string or bytes). */
export interface RecordedAnswer {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** A plain-HTTP server on 127.0.0.1 that records every request (headers and body) and answers by `handler`. */
export interface RecordingServer extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replaces the handler. */
  answer(handler: (req: RecordedRequest) => RecordedAnswer): void;
  close(): Promise<void>;
}

/** Starts a {@link RecordingServer}; the default handler answers 404. */
export async function startRecordingServer(
  handler: (req: RecordedRequest) => RecordedAnswer = () => ({ status: 404 }),
): Promise<RecordingServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const { status = 200, headers = {}, body } = current(recorded);
      const bytes =
        body === undefined
          ? Buffer.alloc(0)
          : typeof body === 'string'
            ? Buffer.from(body)
            : body instanceof Uint8Array
              ? Buffer.from(body)
              : Buffer.from(JSON.stringify(body));
      res.writeHead(status, { 'content-length': String(bytes.length), ...headers });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (next) => {
      current = next;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
