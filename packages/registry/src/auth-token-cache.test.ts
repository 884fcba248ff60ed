import type { RegistryCredentials } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { RegistryAuth } from './registry-auth.ts';
import { type RecordingServer, startRecordingServer } from './test-support/recording-server.ts';
import { rejectionOf } from './test-support/secret-leaks.ts';

let server: RecordingServer;
let agent: Agent;
let issued = 0;

beforeAll(async () => {
  server = await startRecordingServer();
  agent = new Agent();
});
afterAll(async () => {
  await agent.close();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  issued = 0;
  server.answer(() => ({ body: { access_token: `tok-${++issued}`, expires_in: 1 } }));
});
afterEach(() => {
  vi.useRealTimers();
});

function newAuth(credentials: RegistryCredentials | undefined = { username: 'u', password: 'p' }): {
  auth: RegistryAuth;
  lookups: () => number;
} {
  let lookups = 0;
  const auth = new RegistryAuth({
    host: 'registry.test',
    dispatcher: agent,
    userAgent: 'ferry-test',
    credentials: async () => {
      lookups++;
      return credentials;
    },
  });
  auth.recordPing(`Bearer realm="${server.url}/token",service="registry.test"`);
  return { auth, lookups: () => lookups };
}

const PULL = ['repository:app:pull'];
const PUSH = ['repository:app:pull,push'];

describe('RegistryAuth: bearer tokens', () => {
  it('fetches one token per set of scopes and reuses it, looking credentials up once', async () => {
    const { auth, lookups } = newAuth();
    expect(await auth.authorization(PULL)).toBe('Bearer tok-1');
    expect(await auth.authorization(PULL)).toBe('Bearer tok-1');
    expect(await auth.authorization(PUSH)).toBe('Bearer tok-2');
    expect(await auth.authorization(PULL)).toBe('Bearer tok-1');
    // scope order does not make another token
    expect(await auth.authorization(['repository:b:pull', 'repository:a:pull'])).toBe('Bearer tok-3');
    expect(await auth.authorization(['repository:a:pull', 'repository:b:pull'])).toBe('Bearer tok-3');
    expect(server.requests).toHaveLength(3);
    expect(lookups()).toBe(1);
  });

  it('asks once for many concurrent requests of the same scopes', async () => {
    const { auth } = newAuth();
    const all = await Promise.all(Array.from({ length: 10 }, () => auth.authorization(PULL)));
    expect(new Set(all)).toEqual(new Set(['Bearer tok-1']));
    expect(server.requests).toHaveLength(1);
  });

  it('renews a token once it is within 10 s of its expiry (expires_in: 1 counts as 60 s)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const { auth } = newAuth();
    expect(await auth.authorization(PULL)).toBe('Bearer tok-1');
    vi.setSystemTime(start + 49_000);
    expect(await auth.authorization(PULL)).toBe('Bearer tok-1');
    vi.setSystemTime(start + 51_000);
    expect(await auth.authorization(PULL)).toBe('Bearer tok-2');
    expect(server.requests).toHaveLength(2);
  });

  it('drops a refused token on a 401 and fetches a fresh one', async () => {
    const { auth } = newAuth();
    const sent = await auth.authorization(PULL);
    const challenge = `Bearer realm="${server.url}/token",service="registry.test",scope="repository:app:pull"`;
    expect(auth.onUnauthorized(challenge, PULL, sent)).toBe(true);
    expect(await auth.authorization(PULL)).toBe('Bearer tok-2');
  });

  it('uses a refresh token the server handed out instead of the password afterwards', async () => {
    server.answer((req) =>
      req.method === 'GET'
        ? { body: { token: `tok-${++issued}`, refresh_token: 'refresh-1' } }
        : { body: { access_token: `tok-${++issued}` } },
    );
    const { auth } = newAuth();
    expect(await auth.authorization(PULL)).toBe('Bearer tok-1');
    expect(await auth.authorization(PUSH)).toBe('Bearer tok-2');
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    const form = new URLSearchParams(server.requests[1]?.body);
    expect(form.get('grant_type')).toBe('refresh_token');
    expect(form.get('refresh_token')).toBe('refresh-1');
    expect(server.requests[1]?.headers.authorization).toBeUndefined();
  });

  it('does not keep a failed token request: the next call asks again', async () => {
    server.answer(() => ({ status: 503 }));
    const { auth } = newAuth();
    const error = await rejectionOf(auth.authorization(PULL));
    expect(isImageError(error, 'ERR_IO'), String(error)).toBe(true);
    server.answer(() => ({ body: { token: 'after' } }));
    expect(await auth.authorization(PULL)).toBe('Bearer after');
  });

  it('shares a refusal with every request that waited for it: the password is sent once', async () => {
    server.answer(() => ({ status: 401, body: { details: 'incorrect username or password' } }));
    const { auth } = newAuth();
    const errors = await Promise.all(Array.from({ length: 6 }, () => rejectionOf(auth.authorization(PULL))));
    for (const error of errors) expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('does not hand the abort of one request to the others waiting for the same token', async () => {
    const { auth } = newAuth();
    const controller = new AbortController();
    const reason = new Error('first caller gave up');
    const first = rejectionOf(auth.authorization(PULL, { signal: controller.signal }));
    const second = auth.authorization(PULL);
    controller.abort(reason);
    expect(await first).toBe(reason);
    expect(await second).toMatch(/^Bearer tok-/);
  });

  it('sends a given bearer token as is and never asks the token server', async () => {
    const auth = new RegistryAuth({
      host: 'registry.test',
      dispatcher: agent,
      userAgent: 'ferry-test',
      credentials: async () => ({ username: 'u', password: 'p' }),
      bearerToken: 'given-token',
    });
    auth.recordPing(`Bearer realm="${server.url}/token"`);
    expect(await auth.authorization(PULL)).toBe('Bearer given-token');
    // a 401 for a given token is final
    expect(auth.onUnauthorized(`Bearer realm="${server.url}/token"`, PULL, 'Bearer given-token')).toBe(false);
    expect(server.requests).toEqual([]);
  });
});

describe('RegistryAuth: challenges', () => {
  it('sends basic credentials after a basic challenge, and retries only an anonymous request', () => {
    const { auth } = newAuth();
    expect(auth.onUnauthorized('Basic realm="r"', PULL, 'Bearer x')).toBe(true);
    expect(auth.onUnauthorized('Basic realm="r"', PULL, undefined)).toBe(true);
    expect(auth.onUnauthorized('Basic realm="r"', PULL, 'Basic abc')).toBe(false);
  });

  it('refuses malformed or unusable challenges with ERR_UNAUTHORIZED', () => {
    const { auth } = newAuth();
    for (const header of [
      undefined,
      '',
      '  ',
      'Bearer realm=',
      'Bearer service="x"',
      'Negotiate',
      '===',
      'Bearer realm="a',
    ]) {
      let error: unknown;
      try {
        auth.onUnauthorized(header, PULL, undefined);
      } catch (e) {
        error = e;
      }
      expect(isImageError(error, 'ERR_UNAUTHORIZED'), `${header}: ${String(error)}`).toBe(true);
      expect((error as Error).message).toContain('registry.test');
    }
  });

  it('refuses basic auth when only an identity token is known', async () => {
    const { auth } = newAuth({ identityToken: 'idt' });
    auth.recordPing('Basic realm="r"');
    const error = await rejectionOf(auth.authorization(PULL));
    expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
    expect((error as Error).message).not.toContain('idt');
  });
});
