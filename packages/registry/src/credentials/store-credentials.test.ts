import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryCredentials } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  identityTokenCredentials,
  isIdentityToken,
  lookupCredentials,
  passwordCredentials,
  removeCredentials,
  storeCredentials,
} from './index.ts';
import { basicAuth, type CredentialFixture, credentialFixture } from './test-support/credential-fixture.ts';

function show(creds: RegistryCredentials | undefined): string | undefined {
  if (creds === undefined) return undefined;
  return isIdentityToken(creds) ? `token=${creds.identityToken}` : `${creds.username}=${creds.password}`;
}

const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));

let fx: CredentialFixture;
beforeEach(async () => {
  fx = await credentialFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

const quay = { host: 'quay.io' };

describe('storeCredentials', () => {
  it('writes $XDG_RUNTIME_DIR/containers/auth.json with mode 0600 in a new 0700 directory', async () => {
    await storeCredentials(quay, { username: 'alice', password: 'p:w' }, fx.options());
    const file = join(fx.runtimeDir, 'containers', 'auth.json');
    expect(await readJson(file)).toEqual({ auths: { 'quay.io': { auth: basicAuth('alice', 'p:w') } } });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(fx.runtimeDir, 'containers'))).mode & 0o777).toBe(0o700);
    expect(show(await lookupCredentials(quay, fx.options()))).toBe('alice=p:w');
  });

  it('writes authFile, else REGISTRY_AUTH_FILE, and leaves no temp file beside it', async () => {
    const chosen = join(fx.root, 'a', 'chosen.json');
    const fromEnv = join(fx.root, 'b', 'env.json');
    const env = { REGISTRY_AUTH_FILE: fromEnv };
    await storeCredentials(quay, passwordCredentials('one', '1'), fx.options({ env, authFile: chosen }));
    await storeCredentials(quay, passwordCredentials('two', '2'), fx.options({ env }));
    expect(show(await lookupCredentials(quay, fx.options({ authFile: chosen })))).toBe('one=1');
    expect(show(await lookupCredentials(quay, fx.options({ authFile: fromEnv })))).toBe('two=2');
    expect(await readdir(join(fx.root, 'a'))).toEqual(['chosen.json']);
  });

  it('refuses to write when XDG_RUNTIME_DIR names a missing directory', async () => {
    const env = { XDG_RUNTIME_DIR: join(fx.root, 'missing') };
    await expect(storeCredentials(quay, { username: 'u', password: 'p' }, fx.options({ env }))).rejects.toThrow(
      /set by \$XDG_RUNTIME_DIR does not exist/,
    );
  });

  it('keeps every other key of the file and replaces the entry as given (repository key)', async () => {
    const file = await fx.write(join(fx.root, 'auth.json'), {
      auths: { 'quay.io': { auth: basicAuth('host', 'h') }, 'quay.io/team/app': { auth: 'b2xkOm9sZA==', email: 'x' } },
      credHelpers: { 'ghcr.io': 'fake' },
      psFormat: 'table',
      future: { nested: [1, 2] },
    });
    const target = { host: 'quay.io', repository: 'team/app' };
    await storeCredentials(target, { username: 'repo', password: 'r' }, fx.options({ authFile: file }));
    expect(await readJson(file)).toEqual({
      auths: { 'quay.io': { auth: basicAuth('host', 'h') }, 'quay.io/team/app': { auth: basicAuth('repo', 'r') } },
      credHelpers: { 'ghcr.io': 'fake' },
      psFormat: 'table',
      future: { nested: [1, 2] },
    });
    expect(show(await lookupCredentials(target, fx.options({ authFile: file })))).toBe('repo=r');
  });

  it('stores an identity token so that it is read back as one', async () => {
    await storeCredentials(quay, identityTokenCredentials('refresh'), fx.options());
    expect(show(await lookupCredentials(quay, fx.options()))).toBe('token=refresh');
  });

  it('stores through the credHelpers helper named for the host and leaves the file alone', async () => {
    const file = await fx.write(join(fx.root, 'auth.json'), { credHelpers: { 'quay.io': 'fake' } });
    const before = await readFile(file, 'utf8');
    await storeCredentials(quay, passwordCredentials('via', 'helper'), fx.options({ authFile: file }));
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(show(await lookupCredentials(quay, fx.options({ authFile: file })))).toBe('via=helper');
    expect(await fx.helperCalls()).toEqual(['store quay.io', 'get quay.io']);
  });

  it('refuses a repository key on a host served by a helper', async () => {
    const file = await fx.write(join(fx.root, 'auth.json'), { credHelpers: { 'quay.io/team': 'fake' } });
    const target = { host: 'quay.io', repository: 'team' };
    await expect(
      storeCredentials(target, { username: 'u', password: 'p' }, fx.options({ authFile: file })),
    ).rejects.toThrow(/namespaced key quay.io\/team is not supported for credential helper fake/);
  });

  it('refuses to overwrite a malformed file', async () => {
    const file = await fx.write(join(fx.root, 'auth.json'), '{"auths": ');
    const error = await storeCredentials(quay, { username: 'u', password: 'p' }, fx.options({ authFile: file })).catch(
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('{"auths": ');
  });
});

describe('removeCredentials', () => {
  it('removes only the entry of the key and keeps the rest', async () => {
    const file = await fx.write(join(fx.root, 'auth.json'), {
      auths: { 'quay.io': { auth: basicAuth('a', 'b') }, 'ghcr.io': { auth: basicAuth('c', 'd') } },
      other: true,
    });
    await removeCredentials(quay, fx.options({ authFile: file }));
    expect(await readJson(file)).toEqual({ auths: { 'ghcr.io': { auth: basicAuth('c', 'd') } }, other: true });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('says "not logged into" for a key without an entry, as skopeo does', async () => {
    const file = await fx.write(join(fx.root, 'auth.json'), { auths: { 'quay.io': { auth: basicAuth('a', 'b') } } });
    const target = { host: 'quay.io', repository: 'ns/repo' };
    const error = await removeCredentials(target, fx.options({ authFile: file })).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toBe('not logged into quay.io/ns/repo');
    await expect(removeCredentials({ host: 'ghcr.io' }, fx.options())).rejects.toThrow('not logged into ghcr.io');
  });

  it('erases through the credHelpers helper of the host', async () => {
    const file = await fx.write(join(fx.root, 'auth.json'), { credHelpers: { 'quay.io': 'fake' } });
    await fx.seedHelper('quay.io', 'u', 'p');
    await removeCredentials(quay, fx.options({ authFile: file }));
    expect(await lookupCredentials(quay, fx.options({ authFile: file }))).toBeUndefined();
    await expect(removeCredentials(quay, fx.options({ authFile: file }))).rejects.toThrow('not logged into quay.io');
    expect(await fx.helperCalls()).toEqual(['erase quay.io', 'get quay.io', 'erase quay.io']);
  });

  it('with all: empties auths, erases every helper entry, drops credHelpers and keeps other keys', async () => {
    const file = await fx.write(join(fx.root, 'auth.json'), {
      auths: { 'quay.io': { auth: basicAuth('a', 'b') }, 'quay.io/x': { auth: basicAuth('c', 'd') } },
      credHelpers: { 'ghcr.io': 'fake', 'gcr.io': 'fake' },
      keep: 'me',
    });
    await fx.seedHelper('ghcr.io', 'u', 'p');
    await removeCredentials(undefined, { ...fx.options({ authFile: file }), all: true });
    expect(await readJson(file)).toEqual({ auths: {}, keep: 'me' });
    expect((await fx.helperCalls()).sort()).toEqual(['erase gcr.io', 'erase ghcr.io']);
    await expect(removeCredentials(undefined, fx.options())).rejects.toThrow(/needs a registry or all: true/);
  });
});
