import type { CallOptions, RegistryCredentials } from '@ferry/types';
import { ImageError } from '@ferry/types';
import type { Dispatcher } from 'undici';
import { readBodyText } from './read-body.ts';
import { isRetryableNetworkError, isRetryableStatus, type RetryPolicy, retryDelay, sleep } from './retry-policy.ts';

/** A bearer token and when it stops being usable (ms since the epoch). */
export interface BearerToken {
  readonly token: string;
  readonly expiresAt: number;
  /** A refresh token the server handed out, to use instead of the password next time. */
  readonly refreshToken?: string;
}

/** What {@link fetchBearerToken} needs. */
export interface TokenRequestOptions extends CallOptions {
  readonly dispatcher: Dispatcher;
  /** The registry host, for messages only. */
  readonly host: string;
  readonly realm: string;
  readonly service: string | undefined;
  readonly scopes: readonly string[];
  readonly credentials: RegistryCredentials | undefined;
  readonly userAgent: string;
  /**
   * How often a token request is sent again after a dropped connection, a 5xx or a 429.
   * @default no retries
   */
  readonly retry?: RetryPolicy;
  /**
   * The registry is reached over HTTPS: a realm on plain HTTP is then refused (credentials would cross
   * the network in clear), unless it is on this machine's loopback.
   * @default false
   */
  readonly secure?: boolean;
}

// Docker's token spec: a token without expires_in lasts 60 s, and 60 s is the minimum.
const MIN_LIFETIME_S = 60;
// tokens are renewed this long before they expire, so a request never carries one that dies in flight
const EXPIRY_MARGIN_MS = 10_000;
const TOKEN_BODY_LIMIT = 1 << 20;

/**
 * Gets a bearer token from a token server (Docker's token auth spec): `GET realm?service=&scope=` with
 * basic credentials, or the OAuth2 `POST` with `grant_type=refresh_token` for an identity token. Accepts
 * `token` or `access_token`, `expires_in` and `issued_at`.
 * @throws {@link ImageError} `ERR_UNAUTHORIZED` when the server refuses (the message never holds a secret).
 */
export async function fetchBearerToken(options: TokenRequestOptions): Promise<BearerToken> {
  const realm = parseRealm(options.realm, options.host, options.secure === true);
  const headers: Record<string, string> = { 'user-agent': options.userAgent };
  const creds = options.credentials;
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  if (creds !== undefined && 'identityToken' in creds) {
    method = 'POST';
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken });
    form.set('client_id', 'ferry');
    if (options.service !== undefined) form.set('service', options.service);
    if (options.scopes.length > 0) form.set('scope', options.scopes.join(' '));
    body = form.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else {
    if (options.service !== undefined) realm.searchParams.set('service', options.service);
    for (const scope of options.scopes) realm.searchParams.append('scope', scope);
    if (creds !== undefined) {
      realm.searchParams.set('account', creds.username);
      headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
  }
  const started = Date.now();
  const { response, text } = await requestToken(options, realm, method, headers, body);
  if (response.statusCode === 401 || response.statusCode === 403) {
    throw new ImageError(
      'ERR_UNAUTHORIZED',
      `authenticating to ${options.host}: the token server ${realm.origin} refused ${creds === undefined ? 'anonymous access' : 'the credentials'} (HTTP ${response.statusCode})`,
    );
  }
  if (response.statusCode !== 200) {
    throw new ImageError(
      'ERR_UNAUTHORIZED',
      `authenticating to ${options.host}: the token server ${realm.origin} answered HTTP ${response.statusCode}`,
    );
  }
  return parseTokenResponse(text, started, options.host);
}

// The token request, sent again (it changes nothing on the server) after a dropped connection, a 5xx or a
// 429, as the registry's own requests are; the last failure is transient.
async function requestToken(
  options: TokenRequestOptions,
  realm: URL,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ response: Dispatcher.ResponseData; text: string }> {
  const retry = options.retry ?? { maxRetries: 0 };
  for (let attempt = 0; ; attempt++) {
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await options.dispatcher.request({
        origin: realm.origin,
        path: `${realm.pathname}${realm.search}`,
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      text = await readBodyText(response.body, TOKEN_BODY_LIMIT, options);
    } catch (cause) {
      if (options.signal?.aborted) throw options.signal.reason;
      const delay = isRetryableNetworkError(cause) ? retryDelay(retry, attempt) : undefined;
      if (delay === undefined) {
        throw new ImageError('ERR_IO', `requesting a token for ${options.host} from ${realm.origin}`, {
          cause,
          transient: isRetryableNetworkError(cause),
        });
      }
      await sleep(delay, options.signal);
      continue;
    }
    const status = response.statusCode;
    if (status === 429 || isRetryableStatus(status)) {
      const retryAfter = response.headers['retry-after'];
      const delay = retryDelay(retry, attempt, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
      if (delay !== undefined) {
        await sleep(delay, options.signal);
        continue;
      }
      throw new ImageError('ERR_IO', `authenticating to ${options.host}: the token server answered HTTP ${status}`, {
        transient: true,
      });
    }
    return { response, text };
  }
}

function parseTokenResponse(text: string, started: number, host: string): BearerToken {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // the parser's message would quote the body, which may be a token: no cause is kept
    throw new ImageError('ERR_UNAUTHORIZED', `authenticating to ${host}: the token server answered malformed JSON`);
  }
  const fields = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const token = typeof fields.token === 'string' && fields.token !== '' ? fields.token : fields.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new ImageError('ERR_UNAUTHORIZED', `authenticating to ${host}: the token server sent no token`);
  }
  const lifetime =
    typeof fields.expires_in === 'number' && fields.expires_in > MIN_LIFETIME_S ? fields.expires_in : MIN_LIFETIME_S;
  const issued = typeof fields.issued_at === 'string' ? Date.parse(fields.issued_at) : Number.NaN;
  // a server clock ahead of ours must not make the token look valid for longer than it is
  const base = Number.isFinite(issued) ? Math.min(issued, Date.now()) : started;
  const expiresAt = base + lifetime * 1000 - EXPIRY_MARGIN_MS;
  const refresh = fields.refresh_token;
  return typeof refresh === 'string' && refresh !== ''
    ? { token, expiresAt, refreshToken: refresh }
    : { token, expiresAt };
}

function parseRealm(realm: string, host: string, secure: boolean): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch (cause) {
    throw new ImageError('ERR_UNAUTHORIZED', `${host} named a token realm that is not a URL`, { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ImageError('ERR_UNAUTHORIZED', `${host} named a token realm that is not http(s): ${url.protocol}`);
  }
  if (secure && url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ImageError(
      'ERR_UNAUTHORIZED',
      `${host} is reached over HTTPS but named a token realm on plain HTTP (${url.host}); credentials are not sent there`,
    );
  }
  return url;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
