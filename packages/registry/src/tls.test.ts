import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry } from '@ferry/registry-server';
import { makeTestImage, writeTestImage } from '@ferry/testkit';
import type { RegistryOptions } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRegistryLogin, dockerTransport, listTags } from './index.ts';
import { pullToLayout } from './test-support/fault-setup.ts';
import { type RecordingServer, startRecordingServer } from './test-support/recording-server.ts';
import { runTool } from './test-support/run-tool.ts';
import { leakedSecrets, rejectionOf, secretForms } from './test-support/secret-leaks.ts';
import { freshRepository, sharedRegistry } from './test-support/test-registry.ts';

const tlsRegistry = sharedRegistry('tls');
const httpRegistry = sharedRegistry('http');
let tls: RunningRegistry;
let work: string;

beforeAll(async () => {
  tls = await tlsRegistry();
  work = await mkdtemp(join(tmpdir(), 'ferry-tls-'));
}, 60_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function refOf(host: string, repo: string, options: RegistryOptions) {
  return dockerTransport({ registry: options }).parseReference(`//${host}/${repo}:v1`);
}

describe('TLS verification against distribution 2.8 with a test CA', () => {
  it('is on by default: a certificate from an unknown CA fails with ERR_IO naming the problem', async () => {
    const started = Date.now();
    const error = await rejectionOf(
      listTags({ domain: tls.host, path: 'any/repo' }, { registry: { noCredentials: true } }),
    );
    expect(isImageError(error, 'ERR_IO'), String(error)).toBe(true);
    expect((error as Error).message).toContain(tls.host);
    expect((error as Error).message).toMatch(/certificate/i);
    expect((error as Error).message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    // a certificate problem is not transient: no retries with backoff
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('trusts the CA of certDir: push, pull and skopeo agree', async () => {
    const options: RegistryOptions = { noCredentials: true, certDir: tls.certDir ?? '' };
    const repo = freshRepository('tls');
    const image = makeTestImage({ salt: 'tls-cert-dir' });
    await writeTestImage(refOf(tls.host, repo, options), image);
    expect(await pullToLayout(refOf(tls.host, repo, options), join(work, 'pulled'))).toBe(image.manifest.digest);
    const judged = await runTool('skopeo', [
      'inspect',
      '--cert-dir',
      tls.certDir ?? '',
      `docker://${tls.host}/${repo}:v1`,
    ]);
    expect(judged.stderr).toBe('');
    expect(JSON.parse(judged.stdout).Digest).toBe(image.manifest.digest);
  }, 60_000);

  it('an empty certDir replaces the default directories and still verifies', async () => {
    const empty = join(work, 'empty-certs');
    await mkdir(empty);
    const error = await rejectionOf(
      listTags({ domain: tls.host, path: 'any/repo' }, { registry: { noCredentials: true, certDir: empty } }),
    );
    expect(isImageError(error, 'ERR_IO'), String(error)).toBe(true);
  });

  it('accepts any certificate with tlsVerify: false', async () => {
    const options: RegistryOptions = { noCredentials: true, tlsVerify: false };
    const repo = freshRepository('tls');
    const image = makeTestImage({ salt: 'tls-no-verify' });
    await writeTestImage(refOf(tls.host, repo, options), image);
    expect(await listTags({ domain: tls.host, path: repo }, { registry: options })).toEqual(['v1']);
    expect(await pullToLayout(refOf(tls.host, repo, options), join(work, 'no-verify'))).toBe(image.manifest.digest);
  }, 60_000);
});

describe('TLS with basic auth', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ mode: 'basic', tls: true });
  }, 60_000);
  afterAll(async () => {
    await reg?.stop();
  });

  it('pushes and pulls with credentials over verified TLS; a wrong password stays secret', async () => {
    const credentials = { username: reg.username ?? '', password: reg.password ?? '' };
    const options: RegistryOptions = { certDir: reg.certDir ?? '', credentials };
    const repo = freshRepository('tls-basic');
    const image = makeTestImage({ salt: 'tls-basic' });
    await writeTestImage(refOf(reg.host, repo, options), image);
    expect(await pullToLayout(refOf(reg.host, repo, options), join(work, 'tls-basic'))).toBe(image.manifest.digest);
    await expect(checkRegistryLogin(reg.host, options)).resolves.toBeUndefined();
    const wrong = { ...credentials, password: 'tls-wrong-password-3' };
    const error = await rejectionOf(checkRegistryLogin(reg.host, { ...options, credentials: wrong }));
    expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
    expect(leakedSecrets(error, secretForms(wrong.username, wrong.password))).toEqual([]);
  }, 60_000);
});

describe('TLS with token auth', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ mode: 'token', tls: true });
  }, 60_000);
  afterAll(async () => {
    await reg?.stop();
  });

  it('pushes and pulls over verified TLS, getting tokens from the issuer', async () => {
    const credentials = { username: reg.username ?? '', password: reg.password ?? '' };
    const options: RegistryOptions = { certDir: reg.certDir ?? '', credentials };
    const repo = freshRepository('tls-token');
    const image = makeTestImage({ salt: 'tls-token' });
    const before = reg.token?.requests().length ?? 0;
    await writeTestImage(refOf(reg.host, repo, options), image);
    expect(await pullToLayout(refOf(reg.host, repo, options), join(work, 'tls-token'))).toBe(image.manifest.digest);
    const seen = (reg.token?.requests() ?? []).slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.status === 200 && r.account === credentials.username)).toBe(true);
  }, 60_000);
});

describe('a plain-HTTP registry', () => {
  let plain: RecordingServer;
  beforeAll(async () => {
    plain = await startRecordingServer(() => ({ status: 200, body: {} }));
  });
  afterAll(async () => {
    await plain.close();
  });

  it('is refused while tlsVerify is on: no silent downgrade to HTTP', async () => {
    const http = await httpRegistry();
    const error = await rejectionOf(
      listTags({ domain: http.host, path: 'any/repo' }, { registry: { noCredentials: true, retryTimes: 0 } }),
    );
    expect(isImageError(error, 'ERR_IO'), String(error)).toBe(true);
    expect((error as Error).message).toContain(http.host);
    // the server saw a TLS handshake at most, never an HTTP request
    plain.requests.length = 0;
    const refused = await rejectionOf(
      listTags(
        { domain: new URL(plain.url).host, path: 'app' },
        { registry: { noCredentials: true, retryTimes: 0, tlsVerify: true } },
      ),
    );
    expect(isImageError(refused, 'ERR_IO'), String(refused)).toBe(true);
    expect(plain.requests).toEqual([]);
  }, 60_000);

  it('is reached over HTTP with tlsVerify: false', async () => {
    const http = await httpRegistry();
    const options: RegistryOptions = { noCredentials: true, tlsVerify: false };
    const repo = freshRepository('tls-fallback');
    const image = makeTestImage({ salt: 'http-fallback' });
    await writeTestImage(refOf(http.host, repo, options), image);
    expect(await listTags({ domain: http.host, path: repo }, { registry: options })).toEqual(['v1']);
    expect(await pullToLayout(refOf(http.host, repo, options), join(work, 'http'))).toBe(image.manifest.digest);
  }, 60_000);
});

describe('certDir given by the caller', () => {
  it('trusts a CA file of any name ending in .crt', async () => {
    const dir = join(work, 'renamed');
    await mkdir(dir);
    await copyFile(tls.caFile ?? '', join(dir, 'my-registry-ca.crt'));
    const outcome = await listTags(
      { domain: tls.host, path: freshRepository('tls-renamed') },
      { registry: { noCredentials: true, certDir: dir } },
    ).catch((e: unknown) => e);
    // the registry answered (an unknown repository), so the handshake succeeded
    expect(isImageError(outcome, 'ERR_IO'), String(outcome)).toBe(false);
  });
});
