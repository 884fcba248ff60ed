import { createPrivateKey, createPublicKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { libtrustKeyId } from './libtrust-key-id.mjs';
import { signJwtRs256 } from './sign-jwt.mjs';
import { parseScopes } from './token-scope.mjs';

/**
 * @typedef {object} TokenRequest what the issuer saw of one request (never a password or token)
 * @property {'GET' | 'POST'} method
 * @property {string | undefined} account the user name that authenticated, if any
 * @property {string} grantType `basic` or `anonymous` for GET, the OAuth2 `grant_type` for POST
 * @property {string[]} scopes the raw `scope` values
 * @property {number} status the HTTP status answered
 */

/**
 * @typedef {object} TokenIssuerOptions
 * @property {string} certFile PEM certificate of the signing key; the registry's `rootcertbundle`
 * @property {string} keyFile PEM RSA private key that signs the tokens
 * @property {Readonly<Record<string, string>>} users user name → password accepted with basic auth or `grant_type=password`
 * @property {string} service the registry's `service` (the token's `aud`)
 * @property {string} issuer the registry's `issuer` (the token's `iss`)
 * @property {number} [ttlSeconds] token lifetime (`expires_in`) (default: 300)
 * @property {boolean} [anonymousPull] grant `pull` (only) to requests without credentials (default: false)
 */

/**
 * @typedef {object} TokenIssuer
 * @property {string} realm the token endpoint URL, `http://127.0.0.1:PORT/token`
 * @property {() => readonly TokenRequest[]} requests the requests seen so far, oldest first
 * @property {() => Promise<void>} close stops listening and drops open connections
 */

/**
 * Starts a Docker-registry token server on 127.0.0.1 with a free port: `GET /token` (basic auth, `scope`,
 * `service`, `offline_token`) and the OAuth2 `POST /token` (`grant_type=password` or `refresh_token`).
 * Tokens are RS256 JWTs whose `kid` is the libtrust key ID of the signing key, as distribution 2.8 expects;
 * every requested action is granted to a valid user.
 *
 * @param {TokenIssuerOptions} options
 * @returns {Promise<TokenIssuer>}
 */
export async function startTokenIssuer(options) {
  const privateKey = createPrivateKey(await readFile(options.keyFile));
  const kid = libtrustKeyId(createPublicKey(privateKey));
  const ttl = options.ttlSeconds ?? 300;
  /** @type {TokenRequest[]} */
  const seen = [];
  /** @type {Map<string, string>} refresh token → user name */
  const refreshTokens = new Map();

  /** @param {string | undefined} user @param {string[]} scopes */
  const issue = (user, scopes) => {
    const now = Math.floor(Date.now() / 1000);
    const access = parseScopes(scopes).map((entry) =>
      user === undefined ? { ...entry, actions: entry.actions.filter((action) => action === 'pull') } : entry,
    );
    const claims = {
      iss: options.issuer,
      sub: user ?? '',
      aud: options.service,
      exp: now + ttl,
      nbf: now - 60,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access,
    };
    const token = signJwtRs256({ kid }, claims, privateKey);
    return { token, access_token: token, expires_in: ttl, issued_at: new Date(now * 1000).toISOString() };
  };

  /** @param {string | undefined} name @param {string | undefined} password */
  const validUser = (name, password) => {
    const expected = name === undefined ? undefined : options.users[name];
    if (expected === undefined || password === undefined) return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(password);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const server = createServer((req, res) => {
    handle(req).then(
      ({ status, body, record }) => {
        seen.push({ ...record, status });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      },
      () => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"error":"invalid_request"}');
      },
    );
  });

  /**
   * @typedef {{ status: number, body: unknown, record: Omit<TokenRequest, 'status'> }} Answer
   * @param {import('node:http').IncomingMessage} req
   * @returns {Promise<Answer>}
   */
  async function handle(req) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method === 'POST' ? 'POST' : 'GET';
    if (url.pathname !== '/token' || (req.method !== 'GET' && req.method !== 'POST')) {
      return {
        status: 404,
        body: { error: 'not_found' },
        record: { method, account: undefined, grantType: '', scopes: [] },
      };
    }
    const params = method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
    const scopes = params.getAll('scope');
    if (method === 'POST') return handlePost(params, scopes);
    const basic = parseBasic(req.headers.authorization);
    const anonymous = basic === undefined && options.anonymousPull === true;
    if (!anonymous && !validUser(basic?.name, basic?.password)) {
      return unauthorized({ method, account: basic?.name, grantType: basic ? 'basic' : 'anonymous', scopes });
    }
    const user = anonymous ? undefined : basic?.name;
    const body = { ...issue(user, scopes), ...refreshFor(user, params.get('offline_token') === 'true') };
    return {
      status: 200,
      body,
      record: { method, account: user, grantType: anonymous ? 'anonymous' : 'basic', scopes },
    };
  }

  /** @param {URLSearchParams} params @param {string[]} scopes @returns {Answer} */
  function handlePost(params, scopes) {
    const grantType = params.get('grant_type') ?? '';
    let user;
    if (grantType === 'password') {
      const name = params.get('username') ?? undefined;
      if (validUser(name, params.get('password') ?? undefined)) user = name;
    } else if (grantType === 'refresh_token') {
      user = refreshTokens.get(params.get('refresh_token') ?? '');
    }
    /** @type {Omit<TokenRequest, 'status'>} */
    const record = { method: 'POST', account: user, grantType, scopes };
    if (user === undefined) return unauthorized(record);
    const { token: _token, ...body } = issue(user, scopes);
    const wantsRefresh = grantType === 'password' && params.get('access_type') === 'offline';
    return { status: 200, body: { ...body, scope: scopes.join(' '), ...refreshFor(user, wantsRefresh) }, record };
  }

  /** @param {string | undefined} user @param {boolean} wanted */
  function refreshFor(user, wanted) {
    if (!wanted || user === undefined) return {};
    const refreshToken = randomBytes(24).toString('base64url');
    refreshTokens.set(refreshToken, user);
    return { refresh_token: refreshToken };
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests: () => [...seen],
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * @param {Omit<TokenRequest, 'status'>} record
 * @returns {{ status: number, body: unknown, record: Omit<TokenRequest, 'status'> }}
 */
function unauthorized(record) {
  return { status: 401, body: { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, record };
}

/**
 * @param {string | undefined} header an `Authorization` header
 * @returns {{ name: string, password: string } | undefined}
 */
function parseBasic(header) {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Reads a small form body, refusing more than 64 KiB.
 *
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<string>}
 */
async function readBody(req) {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 65536) throw new Error('token request body too large');
  }
  return body;
}
