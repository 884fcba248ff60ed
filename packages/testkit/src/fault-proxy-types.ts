/** An HTTP method a {@link FaultRule} can be limited to. */
export type FaultMethod = 'GET' | 'HEAD' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';

/**
 * What the proxy does to one matching exchange. Actions that answer on their own (`status`, `retry-after`,
 * `redirect`) never reach the upstream and drain the request body first; the others forward the request.
 * `reset-*` cut the client connection with a TCP reset (the client sees `ECONNRESET`); `truncate-response` and
 * a positive `wrong-content-length` close it cleanly before the announced length (the client sees a premature
 * close).
 */
export type FaultAction =
  /** Answer `status` with `headers` and `body` (empty by default), without forwarding. */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
    }
  /** Answer `429 Too Many Requests` with `Retry-After: seconds`, without forwarding. */
  | { readonly kind: 'retry-after'; readonly seconds: number }
  /** Forward, then reset the client connection once `afterBytes` bytes of the response body were sent. */
  | { readonly kind: 'reset-response'; readonly afterBytes: number }
  /**
   * Forward the request, then, once `afterBytes` bytes of its body arrived (or when the body ends, if shorter),
   * reset the client connection and drop the upstream one, so the upstream sees an aborted request.
   */
  | { readonly kind: 'reset-request'; readonly afterBytes: number }
  /** Forward with the original framing, but close the connection after `afterBytes` bytes of the body. */
  | { readonly kind: 'truncate-response'; readonly afterBytes: number }
  /** Wait `ms` (or until the proxy closes) before forwarding; nothing reaches the upstream meanwhile. */
  | { readonly kind: 'stall'; readonly ms: number }
  /**
   * Forward, announcing the upstream's `Content-Length` plus `delta`, then close the connection. With a positive
   * delta the whole body is sent and the client sees a premature close; with a negative one only the announced
   * bytes are sent, so the client gets a well-formed but short body. A response without `Content-Length` passes
   * unchanged (the rule still counts it).
   */
  | { readonly kind: 'wrong-content-length'; readonly delta: number }
  /** Forward with the response header `name` set to `value` (replacing every copy), or removed when `null`. */
  | { readonly kind: 'header'; readonly name: string; readonly value: string | null }
  /** Forward with the byte at offset `atByte` of the response body inverted (a shorter body passes unchanged). */
  | { readonly kind: 'corrupt-response'; readonly atByte: number }
  /** Answer `status` (307 by default) with `Location: location`, without forwarding. */
  | { readonly kind: 'redirect'; readonly location: string; readonly status?: number };

/** The names of the {@link FaultAction} kinds, as they appear in the request log. */
export type FaultKind = FaultAction['kind'];

/**
 * When a fault applies. Every rule counts the requests it matches on its own, whatever other rules do; of the
 * rules whose turn it is, the first one added applies.
 */
export interface FaultRule {
  /** Only requests with this method. @default any method */
  readonly method?: FaultMethod;
  /**
   * Only requests whose path matches: a string equals the path without its query; a `RegExp` is tested against
   * the path with its query (e.g. `/\/blobs\/uploads\/.*[?&]digest=/`). @default any path
   */
  readonly path?: RegExp | string;
  /** How many matching requests it applies to. @default 1 */
  readonly times?: number;
  /** How many matching requests it lets pass first. @default 0 */
  readonly after?: number;
  /** What it does. */
  readonly action: FaultAction;
}

/** One exchange in the proxy's log. It never holds headers, query strings or bodies, so no credential. */
export interface FaultProxyRequest {
  readonly method: string;
  /** The request path without its query. */
  readonly path: string;
  /** The status sent to the client; 0 while none was sent, or when the connection was cut before one. */
  readonly status: number;
  /** The kind of fault applied, if any. */
  readonly fault?: FaultKind;
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** The server to forward to, as `http://host:port` (plain HTTP only). */
  readonly upstream: string;
  /** Aborts the start (rejecting with `signal.reason`) or closes a running proxy. */
  readonly signal?: AbortSignal;
}

/** A running fault-injecting proxy. Closing it cuts every open connection. */
export interface FaultProxy extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** Adds a rule after the existing ones. */
  addFault(rule: FaultRule): void;
  /** Removes every rule. */
  clearFaults(): void;
  /** A copy of the log, in arrival order. */
  requests(): readonly FaultProxyRequest[];
  /** Stops listening and cuts every connection (a stalled exchange included). */
  close(): Promise<void>;
}
