import type { RegistryCredentials } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchBearerToken, type TokenRequestOptions } from './bearer-token.ts';
import { type RecordingServer, startRecordingServer } from './test-support/recording-server.ts';
import { leakedSecrets, rejectionOf, secretForms } from './test-support/secret-leaks.ts';

const PASSWORD = 'token-server-password-P9';
let server: RecordingServer;
let agent: Agent;

beforeAll(async () => {
  server = await startRecordingServer();
  agent = new Agent();
});
afterAll(async () => {
  await agent.close();
  await server.close();
});
afterEach(() => {
  server.requests.length = 0;
});

function options(extra: Partial<TokenRequestOptions> = {}): TokenRequestOptions {
  return {
    dispatcher: agent,
    host: 'registry.test:5000',
    realm: `${server.url}/token`,
    service: 'registry.test',
    scopes: ['repository:a/b:pull', 'repository:c:pull,push'],
    credentials: { username: 'alice', password: PASSWORD },
    userAgent: 'ferry-test',
    ...extra,
  };
}

describe('fetchBearerToken: the GET request', () => {
  it('sends service, every scope, the account and basic credentials', async () => {
    server.answer(() => ({ body: { token: 'T1', expires_in: 300 } }));
    const token = await fetchBearerToken(options());
    expect(token.token).toBe('T1');
    const [req] = server.requests;
    expect(req?.method).toBe('GET');
    const url = new URL(req?.url ?? '', server.url);
    expect(url.pathname).toBe('/token');
    expect(url.searchParams.get('service')).toBe('registry.test');
    expect(url.searchParams.getAll('scope')).toEqual(['repository:a/b:pull', 'repository:c:pull,push']);
    expect(url.searchParams.get('account')).toBe('alice');
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
    expect(req?.headers['user-agent']).toBe('ferry-test');
    // the password travels only in the Authorization header, never in the URL
    expect(req?.url).not.toContain(PASSWORD);
  });

  it('goes anonymous without credentials: no Authorization, no account', async () => {
    server.answer(() => ({ body: { token: 'anon' } }));
    expect((await fetchBearerToken(options({ credentials: undefined, service: undefined }))).token).toBe('anon');
    const [req] = server.requests;
    const url = new URL(req?.url ?? '', server.url);
    expect(req?.headers.authorization).toBeUndefined();
    expect(url.searchParams.has('account')).toBe(false);
    expect(url.searchParams.has('service')).toBe(false);
  });
});

describe('fetchBearerToken: the answer', () => {
  it('accepts access_token instead of token and keeps a refresh_token', async () => {
    server.answer(() => ({ body: { access_token: 'A1', refresh_token: 'R1', expires_in: 600 } }));
    const token = await fetchBearerToken(options());
    expect(token).toMatchObject({ token: 'A1', refreshToken: 'R1' });
  });

  it('prefers token when both are present and ignores an empty refresh_token', async () => {
    server.answer(() => ({ body: { token: 'T', access_token: 'A', refresh_token: '' } }));
    const token = await fetchBearerToken(options());
    expect(token.token).toBe('T');
    expect(token.refreshToken).toBeUndefined();
  });

  it('treats expires_in: 1 as the 60 s minimum, renewing 10 s early', async () => {
    server.answer(() => ({ body: { access_token: 'short', expires_in: 1 } }));
    const before = Date.now();
    const token = await fetchBearerToken(options());
    const after = Date.now();
    expect(token.expiresAt).toBeGreaterThanOrEqual(before + 50_000);
    expect(token.expiresAt).toBeLessThanOrEqual(after + 50_000);
  });

  it('honours a long expires_in, and a missing one is 60 s', async () => {
    server.answer(() => ({ body: { token: 'long', expires_in: 3600 } }));
    const before = Date.now();
    const long = await fetchBearerToken(options());
    expect(long.expiresAt).toBeGreaterThanOrEqual(before + 3_590_000);
    expect(long.expiresAt).toBeLessThanOrEqual(Date.now() + 3_590_000);
    server.answer(() => ({ body: { token: 'default' } }));
    const start = Date.now();
    const fallback = await fetchBearerToken(options());
    expect(fallback.expiresAt).toBeGreaterThanOrEqual(start + 50_000);
    expect(fallback.expiresAt).toBeLessThanOrEqual(Date.now() + 50_000);
  });

  it('counts from issued_at in the past, but never from a server clock ahead of ours', async () => {
    const past = new Date(Date.now() - 100_000).toISOString();
    server.answer(() => ({ body: { token: 'old', expires_in: 120, issued_at: past } }));
    const old = await fetchBearerToken(options());
    // issued 100 s ago for 120 s, renewed 10 s early: about 10 s left
    expect(old.expiresAt).toBe(Date.parse(past) + 110_000);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    server.answer(() => ({ body: { token: 'ahead', expires_in: 120, issued_at: future } }));
    const before = Date.now();
    const ahead = await fetchBearerToken(options());
    expect(ahead.expiresAt).toBeGreaterThanOrEqual(before + 110_000);
    expect(ahead.expiresAt).toBeLessThanOrEqual(Date.now() + 110_000);
  });

  it('refuses answers without a usable token with ERR_UNAUTHORIZED', async () => {
    for (const body of ['not json', { token: '' }, { access_token: 42 }, [], 'null']) {
      server.answer(() => ({ body }));
      const error = await rejectionOf(fetchBearerToken(options()));
      expect(isImageError(error, 'ERR_UNAUTHORIZED'), `${JSON.stringify(body)}: ${String(error)}`).toBe(true);
      expect((error as Error).message).toContain('registry.test:5000');
    }
  });

  it('turns a 500 into a transient ERR_IO (a server error, not a refusal), and retries it when allowed', async () => {
    server.answer(() => ({ status: 500 }));
    const error = await rejectionOf(fetchBearerToken(options()));
    expect(isImageError(error, 'ERR_IO'), String(error)).toBe(true);
    expect((error as { transient?: boolean }).transient).toBe(true);
    expect((error as Error).message).toContain('HTTP 500');
    let calls = 0;
    server.answer(() => (++calls === 1 ? { status: 503 } : { body: { token: 'second-try' } }));
    const token = await fetchBearerToken({ ...options(), retry: { maxRetries: 2, delayMs: 5 } });
    expect(token.token).toBe('second-try');
    expect(calls).toBe(2);
  });

  it('turns 401 and 403 into ERR_UNAUTHORIZED with the status and without the password', async () => {
    for (const status of [401, 403]) {
      server.answer(() => ({ status, body: { details: 'incorrect username or password' } }));
      const error = await rejectionOf(fetchBearerToken(options()));
      expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
      expect((error as Error).message).toContain(`HTTP ${status}`);
      expect(leakedSecrets(error, secretForms('alice', PASSWORD))).toEqual([]);
    }
  });

  it('says anonymous access was refused when no credentials were sent', async () => {
    server.answer(() => ({ status: 401, body: { details: 'access denied' } }));
    const error = await rejectionOf(fetchBearerToken(options({ credentials: undefined })));
    expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
    expect((error as Error).message).toContain('refused anonymous access (HTTP 401)');
    server.answer(() => ({ status: 401 }));
    const refused = await rejectionOf(fetchBearerToken(options()));
    expect((refused as Error).message).toContain('refused the credentials (HTTP 401)');
  });

  it('refuses a realm that is not an http(s) URL', async () => {
    for (const realm of ['not a url', 'ftp://127.0.0.1/token', 'file:///etc/passwd']) {
      const error = await rejectionOf(fetchBearerToken(options({ realm })));
      expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
    }
    expect(server.requests).toEqual([]);
  });

  it('reports an unreachable token server as ERR_IO without the password', async () => {
    const closed = await startRecordingServer();
    await closed.close();
    const error = await rejectionOf(fetchBearerToken(options({ realm: `${closed.url}/token` })));
    expect(isImageError(error, 'ERR_IO'), String(error)).toBe(true);
    expect(leakedSecrets(error, secretForms('alice', PASSWORD))).toEqual([]);
  });

  it('surfaces an abort as the signal reason', async () => {
    server.answer(() => ({ body: { token: 'late' } }));
    const reason = new Error('stop');
    await expect(fetchBearerToken(options({ signal: AbortSignal.abort(reason) }))).rejects.toBe(reason);
  });
});

describe('fetchBearerToken: an identity token', () => {
  it('POSTs the OAuth2 refresh_token grant with service and scopes, and no Authorization header', async () => {
    server.answer(() => ({ body: { access_token: 'from-refresh', expires_in: 1, refresh_token: 'R2' } }));
    const credentials: RegistryCredentials = { identityToken: 'identity-secret-7' };
    const token = await fetchBearerToken(options({ credentials }));
    expect(token).toMatchObject({ token: 'from-refresh', refreshToken: 'R2' });
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req?.headers.authorization).toBeUndefined();
    // the identity token goes in the body only
    expect(req?.url).toBe('/token');
    const form = new URLSearchParams(req?.body);
    expect(form.get('grant_type')).toBe('refresh_token');
    expect(form.get('refresh_token')).toBe('identity-secret-7');
    expect(form.get('service')).toBe('registry.test');
    expect(form.get('scope')).toBe('repository:a/b:pull repository:c:pull,push');
    expect(form.get('client_id')).toBeTruthy();
  });

  it('keeps the identity token out of a refusal', async () => {
    server.answer(() => ({ status: 401, body: { error: 'invalid_grant' } }));
    const error = await rejectionOf(fetchBearerToken(options({ credentials: { identityToken: 'identity-secret-8' } })));
    expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
    expect(leakedSecrets(error, ['identity-secret-8'])).toEqual([]);
  });
});

describe('the leak check itself', () => {
  it('finds a password hidden in a cause, in base64 form, and in inspect output', () => {
    const inner = new Error(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
    const outer = new Error('outer', { cause: inner });
    expect(leakedSecrets(outer, secretForms('alice', PASSWORD))).toHaveLength(1);
    const field = Object.assign(new Error('clean'), { options: { password: PASSWORD } });
    expect(leakedSecrets(field, [PASSWORD])).toEqual([PASSWORD]);
  });
});

describe('a token realm on plain HTTP for a registry on HTTPS', () => {
  it('is refused before any request, unless it is on the loopback', async () => {
    const { fetchBearerToken: fetchToken } = await import('./bearer-token.ts');
    const { Agent } = await import('undici');
    await using agent = {
      inner: new Agent(),
      [Symbol.asyncDispose]() {
        return this.inner.close();
      },
    };
    const error = await fetchToken({
      dispatcher: agent.inner,
      host: 'registry.example.com',
      realm: 'http://auth.example.com/token',
      service: 'registry',
      scopes: [],
      credentials: { username: 'u', password: 'secret-password' },
      userAgent: 'test',
      secure: true,
    }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('ERR_UNAUTHORIZED');
    expect(String((error as Error).message)).not.toContain('secret-password');
  });
});
