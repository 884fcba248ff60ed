import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyImage, insecureAcceptAnythingPolicy } from '@ferry/copy';
import { ociTransport } from '@ferry/oci-layout';
import { type RunningRegistry, startRegistry, type TokenRequest } from '@ferry/registry-server';
import { makeTestImage, writeTestImage } from '@ferry/testkit';
import type { RegistryOptions } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRegistryLogin, dockerTransport, listTags } from './index.ts';
import { pullToLayout } from './test-support/fault-setup.ts';
import { runTool } from './test-support/run-tool.ts';
import { leakedSecrets, rejectionOf, secretForms } from './test-support/secret-leaks.ts';
import { freshRepository, sharedRegistry } from './test-support/test-registry.ts';

const WRONG = 'not-the-password-Kx3';
const registry = sharedRegistry('token');
let reg: RunningRegistry;
let work: string;

beforeAll(async () => {
  reg = await registry();
  work = await mkdtemp(join(tmpdir(), 'ferry-auth-token-'));
}, 60_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function user(): string {
  return reg.username ?? '';
}
function right(): RegistryOptions {
  return { tlsVerify: false, credentials: { username: user(), password: reg.password ?? '' } };
}
function refOf(repo: string, options: RegistryOptions, tag = 'v1') {
  return dockerTransport({ registry: options }).parseReference(`//${reg.host}/${repo}:${tag}`);
}
/** The token requests the issuer saw while `action` ran. */
async function tokenRequestsDuring(action: () => Promise<unknown>): Promise<TokenRequest[]> {
  const before = reg.token?.requests().length ?? 0;
  await action();
  return (reg.token?.requests() ?? []).slice(before);
}
/** Asks the issuer for a token ourselves (as `skopeo`'s `--registry-token` users do). */
async function issuerToken(scope: string, extra: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const url = new URL(reg.token?.realm ?? '');
  url.searchParams.set('service', reg.token?.service ?? '');
  url.searchParams.set('scope', scope);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  const auth = Buffer.from(`${user()}:${reg.password}`).toString('base64');
  const response = await request(url, { headers: { authorization: `Basic ${auth}` } });
  expect(response.statusCode).toBe(200);
  return (await response.body.json()) as Record<string, unknown>;
}

describe('token auth against distribution 2.8 with an in-process token issuer', () => {
  it('pushes and pulls with the right credentials, a few token requests for a whole push', async () => {
    const repo = freshRepository('auth-token');
    const image = makeTestImage({ salt: 'token-push' });
    const push = await tokenRequestsDuring(() => writeTestImage(refOf(repo, right()), image));
    // one token for pull+push of the repository serves every blob and the manifest
    expect(push.length).toBeGreaterThanOrEqual(1);
    expect(push.length).toBeLessThanOrEqual(3);
    expect(push.every((r) => r.status === 200 && r.account === user())).toBe(true);
    expect(push.some((r) => r.scopes.some((s) => s.includes(`repository:${repo}:`) && s.includes('push')))).toBe(true);

    const pull = await tokenRequestsDuring(async () => {
      expect(await pullToLayout(refOf(repo, right()), join(work, 'pulled'))).toBe(image.manifest.digest);
    });
    expect(pull.length).toBeGreaterThanOrEqual(1);
    expect(pull.length).toBeLessThanOrEqual(3);

    const judged = await runTool('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--creds',
      `${user()}:${reg.password}`,
      `docker://${reg.host}/${repo}:v1`,
    ]);
    expect(judged.stderr).toBe('');
    expect(JSON.parse(judged.stdout).Digest).toBe(image.manifest.digest);
  }, 60_000);

  it('refuses anonymous access with ERR_UNAUTHORIZED', async () => {
    const repo = freshRepository('auth-token');
    await writeTestImage(refOf(repo, right()), makeTestImage({ salt: 'token-anon' }));
    const anonymous: RegistryOptions = { tlsVerify: false, noCredentials: true, retryTimes: 0 };
    const seen = await tokenRequestsDuring(async () => {
      const error = await rejectionOf(listTags({ domain: reg.host, path: repo }, { registry: anonymous }));
      expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
      expect((error as Error).message).toContain('anonymous access');
      const pull = await rejectionOf(pullToLayout(refOf(repo, anonymous), join(work, 'anonymous')));
      expect(isImageError(pull, 'ERR_UNAUTHORIZED'), String(pull)).toBe(true);
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.account === undefined && r.status === 401)).toBe(true);
  }, 60_000);

  it('refuses a wrong password with ERR_UNAUTHORIZED that never shows the password', async () => {
    const repo = freshRepository('auth-token');
    await writeTestImage(refOf(repo, right()), makeTestImage({ salt: 'token-wrong' }));
    const wrong: RegistryOptions = { tlsVerify: false, credentials: { username: user(), password: WRONG } };
    const secrets = secretForms(user(), WRONG);
    const failures = [
      await rejectionOf(listTags({ domain: reg.host, path: repo }, { registry: wrong })),
      await rejectionOf(pullToLayout(refOf(repo, wrong), join(work, 'wrong'))),
      await rejectionOf(writeTestImage(refOf(freshRepository('auth-token'), wrong), makeTestImage({ salt: 'x' }))),
      await rejectionOf(checkRegistryLogin(reg.host, wrong)),
    ];
    for (const error of failures) {
      expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
      expect(leakedSecrets(error, secrets)).toEqual([]);
    }
  }, 60_000);

  it('a parallel copy with a wrong password asks the token server once per scope, not once per blob', async () => {
    const layout = join(work, 'wrong-copy-source');
    const image = makeTestImage({ salt: 'token-wrong-copy' });
    await writeTestImage(ociTransport().parseReference(`${layout}:v1`), image);
    const wrong: RegistryOptions = { tlsVerify: false, credentials: { username: user(), password: WRONG } };
    const dest = refOf(freshRepository('auth-token'), wrong);
    let error: unknown;
    const seen = await tokenRequestsDuring(async () => {
      error = await rejectionOf(
        copyImage(insecureAcceptAnythingPolicy(), dest, ociTransport().parseReference(`${layout}:v1`), {
          reportWriter: () => {},
        }),
      );
    });
    expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
    expect(leakedSecrets(error, secretForms(user(), WRONG))).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.status === 401)).toBe(true);
    expect(new Set(seen.map((r) => r.scopes.join(' '))).size).toBe(seen.length);
  }, 60_000);

  it('checkRegistryLogin goes through the token server with the right credentials', async () => {
    const seen = await tokenRequestsDuring(() => checkRegistryLogin(reg.host, right()));
    expect(seen.map((r) => [r.method, r.account, r.status])).toEqual([['GET', user(), 200]]);
  });

  it('sends a bearerToken (--registry-token) as is, without asking the token server', async () => {
    const repo = freshRepository('auth-token');
    await writeTestImage(refOf(repo, right()), makeTestImage({ salt: 'token-given' }));
    const { token } = await issuerToken(`repository:${repo}:pull`);
    expect(typeof token).toBe('string');
    const options: RegistryOptions = { tlsVerify: false, noCredentials: true, bearerToken: String(token) };
    const seen = await tokenRequestsDuring(async () => {
      expect(await listTags({ domain: reg.host, path: repo }, { registry: options })).toEqual(['v1']);
    });
    expect(seen).toEqual([]);

    const bogus = 'bogus-token-value-9d2';
    const refused = await tokenRequestsDuring(async () => {
      const error = await rejectionOf(
        listTags({ domain: reg.host, path: repo }, { registry: { ...options, bearerToken: bogus } }),
      );
      expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
      expect(leakedSecrets(error, [bogus])).toEqual([]);
    });
    expect(refused).toEqual([]);
  }, 60_000);

  it('uses an identity token with the OAuth2 refresh_token grant', async () => {
    const repo = freshRepository('auth-token');
    await writeTestImage(refOf(repo, right()), makeTestImage({ salt: 'token-identity' }));
    const { refresh_token: refresh } = await issuerToken(`repository:${repo}:pull`, { offline_token: 'true' });
    expect(typeof refresh).toBe('string');
    const options: RegistryOptions = { tlsVerify: false, credentials: { identityToken: String(refresh) } };
    const seen = await tokenRequestsDuring(async () => {
      expect(await listTags({ domain: reg.host, path: repo }, { registry: options })).toEqual(['v1']);
    });
    expect(seen.map((r) => [r.method, r.grantType, r.account, r.status])).toEqual([
      ['POST', 'refresh_token', user(), 200],
    ]);
    expect(seen[0]?.scopes).toEqual([`repository:${repo}:pull`]);

    const stale = 'stale-identity-token-41';
    const error = await rejectionOf(
      listTags({ domain: reg.host, path: repo }, { registry: { ...options, credentials: { identityToken: stale } } }),
    );
    expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
    expect(leakedSecrets(error, [stale])).toEqual([]);
  }, 60_000);
});

describe('token auth with anonymous pull allowed', () => {
  let open: RunningRegistry;
  beforeAll(async () => {
    open = await startRegistry({ mode: 'token', anonymousPull: true });
  }, 60_000);
  afterAll(async () => {
    await open?.stop();
  });

  it('pulls anonymously, but an anonymous push is refused with ERR_DENIED', async () => {
    const credentials = { username: open.username ?? '', password: open.password ?? '' };
    const repo = freshRepository('auth-token-open');
    const image = makeTestImage({ salt: 'anonymous-pull' });
    const at = (options: RegistryOptions) =>
      dockerTransport({ registry: options }).parseReference(`//${open.host}/${repo}:v1`);
    await writeTestImage(at({ tlsVerify: false, credentials }), image);
    const anonymous: RegistryOptions = { tlsVerify: false, noCredentials: true };
    expect(await pullToLayout(at(anonymous), join(work, 'anonymous-pull'))).toBe(image.manifest.digest);
    const error = await rejectionOf(writeTestImage(at(anonymous), makeTestImage({ salt: 'anonymous-push' })));
    // the issuer grants pull only; the registry's insufficient_scope refusal is an access error
    expect(isImageError(error, 'ERR_DENIED'), String(error)).toBe(true);
    expect((error as Error).message).toContain(repo);
  }, 60_000);
});
