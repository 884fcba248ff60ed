import { readLimited } from '@ferry/blob';
import type { CallOptions, RegistryOptions } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import type { Agent, Dispatcher } from 'undici';
import { discardBody, readBodyText } from './read-body.ts';
import { createRegistryAgent } from './registry-agent.ts';
import { type CredentialResolver, RegistryAuth } from './registry-auth.ts';
import { isRegistryError, RegistryError, type RegistryErrorKind, registryErrorFrom } from './registry-error.ts';
import { isRetryableNetworkError, isRetryableStatus, type RetryPolicy, retryDelay, sleep } from './retry-policy.ts';

/**
 * The body of a request: bytes, or a function making a fresh stream, can be sent again on a retry; a
 * stream only once.
 */
export type RequestBody = Uint8Array | string | AsyncIterable<Uint8Array> | (() => AsyncIterable<Uint8Array>);

/** One request to the registry. */
export interface RegistryRequest extends CallOptions {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  /** A path below the registry (`/v2/...`), or an absolute URL on it (an upload `Location`). */
  readonly path: string | URL;
  /** Scopes the request needs, e.g. `repository:library/busybox:pull`. */
  readonly scopes: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** What is being requested, for messages: `manifest latest in 127.0.0.1:5000/app`. */
  readonly what: string;
  /** How a 404 is read. */
  readonly kind: RegistryErrorKind;
  /**
   * Whether the request may be sent again after a network error or a retryable status. Defaults to true
   * for GET, HEAD, PUT and DELETE with a replayable body.
   */
  readonly idempotent?: boolean;
  /** Statuses returned to the caller instead of becoming errors (2xx are always returned). */
  readonly accept?: readonly number[];
}

/** A response the caller owns: it must read or discard `body`. */
export interface RegistryResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Dispatcher.ResponseData['body'];
  /** The URL that answered (after redirects). */
  readonly url: URL;
}

/** Settings of {@link RegistryClient.open}. */
export interface RegistryClientOptions extends CallOptions {
  readonly registry?: RegistryOptions;
  /** Finds credentials when the registry asks for them. */
  readonly credentials: CredentialResolver;
  /** The user agent. @default 'ferry' */
  readonly userAgent?: string;
  /**
   * The host name the `certs.d` directories are looked up under, when it differs from the API host
   * (Docker Hub: `docker.io`, not `registry-1.docker.io`, as containers/image does).
   * @default host
   */
  readonly certHost?: string;
}

const ERROR_BODY_LIMIT = 64 * 1024;
const MAX_REDIRECTS = 5;

/**
 * A connection to one registry host: keep-alive connections, authentication (challenge, credentials,
 * token cache), retries with backoff for idempotent requests, 5xx, resets and 429 `Retry-After`, and errors
 * as {@link RegistryError}s. Credentials never appear in a URL, a message or a log; redirects to another
 * origin are followed without them.
 */
export class RegistryClient implements AsyncDisposable {
  /** The registry as named in references, e.g. `docker.io`, `127.0.0.1:5000`. */
  readonly host: string;
  /** The origin requests go to, e.g. `https://registry-1.docker.io`. */
  readonly base: URL;
  readonly auth: RegistryAuth;
  readonly retry: RetryPolicy;
  readonly #agent: Agent;
  readonly #userAgent: string;

  private constructor(host: string, base: URL, agent: Agent, auth: RegistryAuth, retry: RetryPolicy, ua: string) {
    this.host = host;
    this.base = base;
    this.#agent = agent;
    this.auth = auth;
    auth.setRegistryOrigin(base);
    this.retry = retry;
    this.#userAgent = ua;
  }

  /**
   * Connects to a registry: builds the TLS settings, pings `/v2/` (over HTTPS; with `tlsVerify: false`,
   * falling back to plain HTTP when HTTPS does not answer) and records its authentication challenge.
   * @throws {@link ImageError} `ERR_IO` when the registry cannot be reached; `ERR_UNAUTHORIZED` for a
   * malformed challenge.
   */
  static async open(host: string, options: RegistryClientOptions): Promise<RegistryClient> {
    const registry = options.registry ?? {};
    const callOptions = options.signal === undefined ? {} : { signal: options.signal };
    const agent = await createRegistryAgent(options.certHost ?? host, registry, callOptions);
    const userAgent = registry.userAgent ?? options.userAgent ?? 'ferry';
    const retry: RetryPolicy = {
      maxRetries: registry.retryTimes ?? 3,
      ...(registry.retryDelayMs === undefined ? {} : { delayMs: registry.retryDelayMs }),
    };
    const auth = new RegistryAuth({
      host,
      dispatcher: agent,
      userAgent,
      credentials: options.credentials,
      retry,
      ...(registry.bearerToken === undefined ? {} : { bearerToken: registry.bearerToken }),
    });
    try {
      const base = await pingRegistry(host, agent, registry.tlsVerify !== false, auth, userAgent, retry, callOptions);
      return new RegistryClient(host, base, agent, auth, retry, userAgent);
    } catch (error) {
      await agent.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Sends a request, authenticating and retrying as needed. A non-2xx status not in `accept` becomes a
   * {@link RegistryError} (its body read under a small limit).
   */
  async send(req: RegistryRequest): Promise<RegistryResponse> {
    const replayable =
      req.body === undefined ||
      typeof req.body === 'string' ||
      req.body instanceof Uint8Array ||
      typeof req.body === 'function';
    const idempotent = req.idempotent ?? (replayable && ['GET', 'HEAD', 'PUT', 'DELETE'].includes(req.method));
    let authRetried = false;
    for (let attempt = 0; ; attempt++) {
      req.signal?.throwIfAborted();
      const authorization = await this.auth.authorization(req.scopes, req);
      let response: RegistryResponse;
      try {
        response = await this.#dispatch(req, authorization);
      } catch (error) {
        if (req.signal?.aborted) throw req.signal.reason;
        if (isImageError(error)) throw error;
        const delay =
          idempotent && replayable && isRetryableNetworkError(error) ? retryDelay(this.retry, attempt) : undefined;
        if (delay === undefined)
          throw new ImageError('ERR_IO', `${req.method} ${req.what}: ${describe(error)}`, { cause: error });
        await sleep(delay, req.signal);
        continue;
      }
      const { status } = response;
      // only the registry itself may change how this client authenticates: a host it redirected to that
      // asks for credentials gets none (its challenge could name a token realm that collects passwords)
      if (status === 401 && response.url.origin !== this.base.origin) {
        const error = await this.#error(response, req);
        throw new ImageError(
          error.code,
          `${error.message} (asked for by ${response.url.host}, which gets no credentials)`,
          {
            cause: error,
          },
        );
      }
      if (status === 401 && !authRetried && replayable) {
        const body = await readBodyText(response.body, ERROR_BODY_LIMIT, req).catch(() => '');
        authRetried = true;
        if (this.auth.onUnauthorized(header(response.headers, 'www-authenticate'), req.scopes, authorization)) {
          attempt--;
          continue;
        }
        throw refused(
          registryErrorFrom({ status, headers: response.headers, body }, req.what, req.kind),
          authorization,
        );
      }
      if (status === 401) {
        const error = await this.#error(response, req);
        throw refused(error, authorization);
      }
      if ((status === 429 || isRetryableStatus(status)) && replayable && (idempotent || status === 429)) {
        const delay = retryDelay(this.retry, attempt, header(response.headers, 'retry-after'));
        if (delay !== undefined) {
          await discardBody(response.body);
          await sleep(delay, req.signal);
          continue;
        }
      }
      if ((status >= 200 && status < 300) || req.accept?.includes(status)) return response;
      throw await this.#error(response, req);
    }
  }

  /**
   * Sends a request and reads its (small) body under `limit`, sending the request again when the body is
   * cut by a retryable network error (the request must be idempotent).
   */
  async fetchSmall(req: RegistryRequest, limit: number): Promise<{ response: RegistryResponse; bytes: Uint8Array }> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.send(req);
      try {
        const bytes = await readLimited(response.body, limit, { what: req.what, ...signalOf(req) });
        return { response, bytes };
      } catch (error) {
        if (req.signal?.aborted) throw req.signal.reason;
        const delay = isRetryableNetworkError(error) ? retryDelay(this.retry, attempt) : undefined;
        if (delay === undefined) {
          if (isImageError(error)) throw error;
          throw new ImageError('ERR_IO', `reading ${req.what}: ${describe(error)}`, {
            cause: error,
            transient: isRetryableNetworkError(error),
          });
        }
        await sleep(delay, req.signal);
      }
    }
  }

  /** Closes the connections. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#agent.close().catch(() => undefined);
  }

  /** The absolute URL of a path below the registry. */
  url(path: string | URL): URL {
    return path instanceof URL ? path : new URL(path, this.base);
  }

  async #dispatch(req: RegistryRequest, authorization: string | undefined): Promise<RegistryResponse> {
    let url = this.url(req.path);
    let method = req.method;
    for (let hop = 0; ; hop++) {
      const sameOrigin = url.origin === this.base.origin;
      const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...req.headers };
      // credentials go only to the registry itself, never to a host it redirects to
      if (authorization !== undefined && sameOrigin) headers.authorization = authorization;
      const response = await this.#agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        // undici streams any async iterable; its types list only Readable
        ...(req.body === undefined || hop > 0 ? {} : { body: bodyOf(req.body) as Uint8Array | string }),
        ...(req.signal === undefined ? {} : { signal: req.signal }),
      });
      const location = header(response.headers, 'location');
      const redirect = [301, 302, 303, 307, 308].includes(response.statusCode) && location !== undefined;
      // only reads follow redirects (blob downloads to a CDN); an upload's Location is the caller's business
      if (!redirect || (method !== 'GET' && method !== 'HEAD')) {
        return { status: response.statusCode, headers: response.headers, body: response.body, url };
      }
      await discardBody(response.body);
      if (hop >= MAX_REDIRECTS) throw new ImageError('ERR_IO', `${req.what}: too many redirects`);
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new ImageError('ERR_IO', `${req.what}: redirect to an unsupported URL scheme ${next.protocol}`);
      }
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new ImageError('ERR_IO', `${req.what}: refusing a redirect from HTTPS to plain HTTP (${next.host})`);
      }
      url = next;
      if (response.statusCode === 303) method = 'GET';
    }
  }

  async #error(response: RegistryResponse, req: RegistryRequest): Promise<ImageError> {
    const body = req.method === 'HEAD' ? '' : await readBodyText(response.body, ERROR_BODY_LIMIT, req).catch(() => '');
    return registryErrorFrom({ status: response.status, headers: response.headers, body }, req.what, req.kind);
  }
}

async function pingRegistry(
  host: string,
  agent: Agent,
  verify: boolean,
  auth: RegistryAuth,
  userAgent: string,
  retry: RetryPolicy,
  options: CallOptions,
): Promise<URL> {
  const candidates = verify ? [`https://${host}`] : [`https://${host}`, `http://${host}`];
  let failure: unknown;
  for (const origin of candidates) {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await agent.request({
          origin,
          path: '/v2/',
          method: 'GET',
          headers: { 'user-agent': userAgent },
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        await discardBody(response.body);
        if (response.statusCode === 401) auth.recordPing(header(response.headers, 'www-authenticate'));
        else if (isRetryableStatus(response.statusCode) || response.statusCode === 429) {
          const delay = retryDelay(retry, attempt, header(response.headers, 'retry-after'));
          if (delay !== undefined) {
            await sleep(delay, options.signal);
            continue;
          }
        }
        // any HTTP answer (200, 401, even 404 from a registry without /v2/ ping) means this origin speaks HTTP
        return new URL(origin);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (isImageError(error)) throw error;
        failure = error;
        const delay = isRetryableNetworkError(error) ? retryDelay(retry, attempt) : undefined;
        if (delay === undefined) break;
        await sleep(delay, options.signal);
      }
    }
  }
  // an HTTPS handshake answered in plain HTTP: say what it means rather than only OpenSSL's words
  const plain = /wrong version number|packet length too long/i.test(describe(failure));
  const hint =
    plain && verify ? ' (the registry does not seem to speak TLS; --tls-verify=false allows plain HTTP)' : '';
  throw new ImageError('ERR_IO', `pinging container registry ${host}: ${describe(failure)}${hint}`, {
    cause: failure,
  });
}

/** A response header as one string (the first value of a repeated one). */
export function header(headers: RegistryResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

function bodyOf(body: RequestBody): Uint8Array | string | AsyncIterable<Uint8Array> {
  return typeof body === 'function' ? body() : body;
}

/** `{ signal }` when set: what to pass on from an options object. */
export function signalOf(options: CallOptions): CallOptions {
  return options.signal === undefined ? {} : { signal: options.signal };
}

// A 401 after credentials were sent means they were refused; without any, that some are needed.
function refused(error: ImageError, authorization: string | undefined): ImageError {
  const why = authorization === undefined ? 'authentication required' : 'invalid username/password or token';
  const message = `${error.message} (${why})`;
  return isRegistryError(error)
    ? new RegistryError(error.code, message, error.status, error.errors, { cause: error })
    : new ImageError(error.code, message, { cause: error });
}
