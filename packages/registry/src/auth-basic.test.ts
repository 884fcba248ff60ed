import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry } from '@ferry/registry-server';
import { makeTestImage, writeTestImage } from '@ferry/testkit';
import type { RegistryOptions } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRegistryLogin, dockerTransport, listTags } from './index.ts';
import { pullToLayout } from './test-support/fault-setup.ts';
import { runTool } from './test-support/run-tool.ts';
import { leakedSecrets, rejectionOf, secretForms } from './test-support/secret-leaks.ts';
import { freshRepository, sharedRegistry } from './test-support/test-registry.ts';

const WRONG = 'not-the-password-Zq7';
const registry = sharedRegistry('basic');
let reg: RunningRegistry;
let work: string;

beforeAll(async () => {
  reg = await registry();
  work = await mkdtemp(join(tmpdir(), 'ferry-auth-basic-'));
}, 60_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function right(): RegistryOptions {
  return { tlsVerify: false, credentials: { username: reg.username ?? '', password: reg.password ?? '' } };
}
function wrong(): RegistryOptions {
  return { tlsVerify: false, credentials: { username: reg.username ?? '', password: WRONG }, retryTimes: 0 };
}
function refOf(repo: string, options: RegistryOptions, tag = 'v1') {
  return dockerTransport({ registry: options }).parseReference(`//${reg.host}/${repo}:${tag}`);
}
function basicAuth(user: string, password: string): { auth: string } {
  return { auth: Buffer.from(`${user}:${password}`).toString('base64') };
}

/** Pushes a small image with the right credentials and returns its repository and manifest digest. */
async function pushed(salt: string): Promise<{ repo: string; digest: string }> {
  const repo = freshRepository('auth-basic');
  const image = makeTestImage({ salt });
  await writeTestImage(refOf(repo, right()), image);
  return { repo, digest: image.manifest.digest };
}

describe('basic auth against distribution 2.8 (htpasswd)', () => {
  it('pushes and pulls with the right credentials; skopeo sees the same image', async () => {
    const { repo, digest } = await pushed('right');
    expect(await pullToLayout(refOf(repo, right()), join(work, 'pulled'))).toBe(digest);
    expect(await listTags({ domain: reg.host, path: repo }, { registry: right() })).toEqual(['v1']);
    const judged = await runTool('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--creds',
      `${reg.username}:${reg.password}`,
      `docker://${reg.host}/${repo}:v1`,
    ]);
    expect(judged.stderr).toBe('');
    expect(JSON.parse(judged.stdout).Digest).toBe(digest);
  }, 60_000);

  it('refuses a wrong password with ERR_UNAUTHORIZED that never shows the password', async () => {
    const { repo } = await pushed('wrong');
    const secrets = secretForms(reg.username ?? '', WRONG);
    const failures = [
      await rejectionOf(pullToLayout(refOf(repo, wrong()), join(work, 'wrong-pull'))),
      await rejectionOf(writeTestImage(refOf(freshRepository('auth-basic'), wrong()), makeTestImage({ salt: 'w' }))),
      await rejectionOf(listTags({ domain: reg.host, path: repo }, { registry: wrong() })),
      await rejectionOf(checkRegistryLogin(reg.host, wrong())),
    ];
    for (const error of failures) {
      expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
      expect((error as Error).message).toContain(reg.host);
      expect(leakedSecrets(error, secrets)).toEqual([]);
    }
  }, 60_000);

  it('checkRegistryLogin accepts the right credentials', async () => {
    await expect(checkRegistryLogin(reg.host, right())).resolves.toBeUndefined();
  });

  it('refuses anonymous access with ERR_UNAUTHORIZED', async () => {
    const { repo } = await pushed('anonymous');
    const anonymous: RegistryOptions = { tlsVerify: false, noCredentials: true, retryTimes: 0 };
    const pull = await rejectionOf(pullToLayout(refOf(repo, anonymous), join(work, 'anonymous')));
    expect(isImageError(pull, 'ERR_UNAUTHORIZED'), String(pull)).toBe(true);
    const tags = await rejectionOf(listTags({ domain: reg.host, path: repo }, { registry: anonymous }));
    expect(isImageError(tags, 'ERR_UNAUTHORIZED'), String(tags)).toBe(true);
  }, 60_000);
});

describe('basic auth with a password holding a colon, spaces and non-ASCII letters', () => {
  const users = { 'user-two': 'p:ä ss/%40+word' };
  let other: RunningRegistry;
  beforeAll(async () => {
    other = await startRegistry({ mode: 'basic', users });
  }, 60_000);
  afterAll(async () => {
    await other?.stop();
  });

  it('authenticates from explicit credentials and from an auth file entry', async () => {
    const credentials = { username: 'user-two', password: users['user-two'] };
    const repo = freshRepository('auth-basic');
    const ref = dockerTransport({ registry: { tlsVerify: false, credentials } }).parseReference(
      `//${other.host}/${repo}:v1`,
    );
    await writeTestImage(ref, makeTestImage({ salt: 'odd-password' }));
    const authFile = join(work, 'odd-auth.json');
    await writeFile(authFile, JSON.stringify({ auths: { [other.host]: basicAuth('user-two', users['user-two']) } }));
    expect(await listTags({ domain: other.host, path: repo }, { registry: { tlsVerify: false, authFile } })).toEqual([
      'v1',
    ]);
  }, 60_000);
});

describe('basic auth with credentials from an auth file', () => {
  it('uses the host entry of authFile', async () => {
    const { repo, digest } = await pushed('auth-file');
    const authFile = join(work, 'host-auth.json');
    await writeFile(
      authFile,
      JSON.stringify({ auths: { [reg.host]: basicAuth(reg.username ?? '', reg.password ?? '') } }),
    );
    const options: RegistryOptions = { tlsVerify: false, authFile };
    expect(await pullToLayout(refOf(repo, options), join(work, 'from-file'))).toBe(digest);
    expect(await listTags({ domain: reg.host, path: repo }, { registry: options })).toEqual(['v1']);
  }, 60_000);

  it('prefers a repository-scoped entry to the host entry', async () => {
    const { repo } = await pushed('scoped');
    const other = (await pushed('scoped-other')).repo;
    const authFile = join(work, 'scoped-auth.json');
    await writeFile(
      authFile,
      JSON.stringify({
        auths: {
          [reg.host]: basicAuth(reg.username ?? '', WRONG),
          [`${reg.host}/${repo}`]: basicAuth(reg.username ?? '', reg.password ?? ''),
        },
      }),
    );
    const options: RegistryOptions = { tlsVerify: false, authFile, retryTimes: 0 };
    // the scoped entry holds the right password, so this repository is readable...
    expect(await listTags({ domain: reg.host, path: repo }, { registry: options })).toEqual(['v1']);
    // ...while another repository falls back to the host entry, whose password is wrong
    const error = await rejectionOf(listTags({ domain: reg.host, path: other }, { registry: options }));
    expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
    expect(leakedSecrets(error, secretForms(reg.username ?? '', WRONG))).toEqual([]);
  }, 60_000);

  it('explicit credentials beat the auth file', async () => {
    const { repo } = await pushed('explicit');
    const authFile = join(work, 'wrong-auth.json');
    await writeFile(authFile, JSON.stringify({ auths: { [reg.host]: basicAuth(reg.username ?? '', WRONG) } }));
    const options: RegistryOptions = { ...right(), authFile };
    expect(await listTags({ domain: reg.host, path: repo }, { registry: options })).toEqual(['v1']);
  }, 60_000);

  it('an auth file without an entry for the registry means anonymous, so ERR_UNAUTHORIZED', async () => {
    const { repo } = await pushed('no-entry');
    const authFile = join(work, 'other-host.json');
    await writeFile(authFile, JSON.stringify({ auths: { 'elsewhere.invalid': basicAuth('a', 'b') } }));
    const options: RegistryOptions = { tlsVerify: false, authFile, retryTimes: 0 };
    const error = await rejectionOf(listTags({ domain: reg.host, path: repo }, { registry: options }));
    expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
  }, 60_000);
});
