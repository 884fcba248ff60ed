import { join } from 'node:path';
import type { RegistryCredentials } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isIdentityToken, lookupCredentials, spawnCredentialHelper } from './index.ts';
import { basicAuth, type CredentialFixture, credentialFixture } from './test-support/credential-fixture.ts';

function show(creds: RegistryCredentials | undefined): string | undefined {
  if (creds === undefined) return undefined;
  return isIdentityToken(creds) ? `token=${creds.identityToken}` : `${creds.username}=${creds.password}`;
}

let fx: CredentialFixture;
beforeEach(async () => {
  fx = await credentialFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

const runtimeFile = () => join(fx.runtimeDir, 'containers', 'auth.json');
const dockerFile = () => join(fx.home, '.docker', 'config.json');

describe('credHelpers', () => {
  it('asks the helper named for the host, with the host as server URL, before any auths entry', async () => {
    await fx.write(runtimeFile(), {
      credHelpers: { 'quay.io': 'fake' },
      auths: { 'quay.io/team': { auth: basicAuth('file', 'f') } },
    });
    await fx.seedHelper('quay.io', 'helper-user', 'pass:with:colons');
    const creds = await lookupCredentials({ host: 'quay.io', repository: 'team/app' }, fx.options());
    expect(show(creds)).toBe('helper-user=pass:with:colons');
    expect(await fx.helperCalls()).toEqual(['get quay.io']);
  });

  it('maps the <token> user to an identity token', async () => {
    await fx.write(runtimeFile(), { credHelpers: { 'quay.io': 'fake' } });
    await fx.seedHelper('quay.io', '<token>', 'refresh-me');
    expect(show(await lookupCredentials({ host: 'quay.io' }, fx.options()))).toBe('token=refresh-me');
  });

  it('goes on to the next file when the helper has no credentials', async () => {
    await fx.write(runtimeFile(), { credHelpers: { 'quay.io': 'fake' } });
    await fx.write(dockerFile(), { auths: { 'quay.io': { auth: basicAuth('docker', 'd') } } });
    expect(show(await lookupCredentials({ host: 'quay.io' }, fx.options()))).toBe('docker=d');
  });

  it('fails clearly when the helper is not in PATH', async () => {
    await fx.write(runtimeFile(), { credHelpers: { 'quay.io': 'absent' } });
    const error = await lookupCredentials({ host: 'quay.io' }, fx.options()).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('docker-credential-absent was not found in PATH');
  });

  it('reports a failing helper with its exit status and message', async () => {
    await fx.installHelper('broken', '#!/bin/sh\ncat >/dev/null\necho "keyring locked"\nexit 3\n');
    await fx.write(runtimeFile(), { credHelpers: { 'quay.io': 'broken' } });
    const error = await lookupCredentials({ host: 'quay.io' }, fx.options()).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_IO')).toBe(true);
    expect((error as Error).message).toMatch(
      /docker-credential-broken get for quay.io failed with exit status 3: keyring locked/,
    );
  });

  it('refuses malformed helper output without quoting it', async () => {
    await fx.installHelper('garbled', '#!/bin/sh\ncat >/dev/null\necho "{Secret: hunter2"\n');
    await fx.write(runtimeFile(), { credHelpers: { 'quay.io': 'garbled' } });
    const error = await lookupCredentials({ host: 'quay.io' }, fx.options()).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_IO')).toBe(true);
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('credsStore', () => {
  it('is the fallback of a Docker config.json, asked with Docker Hub v1 URL for docker.io', async () => {
    await fx.write(dockerFile(), { credsStore: 'fake', auths: { 'https://index.docker.io/v1/': {} } });
    await fx.seedHelper('https://index.docker.io/v1/', 'hubuser', 'hubpw');
    await fx.seedHelper('ghcr.io', 'gh', 'ghpw');
    expect(show(await lookupCredentials({ host: 'docker.io', repository: 'library/alpine' }, fx.options()))).toBe(
      'hubuser=hubpw',
    );
    expect(show(await lookupCredentials({ host: 'ghcr.io' }, fx.options()))).toBe('gh=ghpw');
    expect(await lookupCredentials({ host: 'quay.io' }, fx.options())).toBeUndefined();
    expect(await fx.helperCalls()).toEqual(['get https://index.docker.io/v1/', 'get ghcr.io', 'get quay.io']);
  });

  it('comes after an auths entry that holds credentials', async () => {
    await fx.write(dockerFile(), {
      credsStore: 'fake',
      credHelpers: { 'ghcr.io': 'fake' },
      auths: { 'quay.io': { auth: basicAuth('file', 'f') } },
    });
    await fx.seedHelper('quay.io', 'store', 's');
    expect(show(await lookupCredentials({ host: 'quay.io' }, fx.options()))).toBe('file=f');
    expect(await fx.helperCalls()).toEqual([]);
  });

  it('is ignored in a containers auth.json, as containers/image ignores it', async () => {
    await fx.write(runtimeFile(), { credsStore: 'fake' });
    await fx.seedHelper('quay.io', 'store', 's');
    expect(await lookupCredentials({ host: 'quay.io' }, fx.options())).toBeUndefined();
  });
});

describe('spawnCredentialHelper', () => {
  const request = (program: string, timeoutMs = 5000) => ({
    program,
    action: 'get' as const,
    input: 'quay.io',
    env: fx.env,
    timeoutMs,
  });

  it('passes the input on stdin and the action as argument', async () => {
    await fx.installHelper('echo', '#!/bin/sh\nprintf "%s|" "$1"\ncat\n');
    const result = await spawnCredentialHelper(request('docker-credential-echo'));
    expect(result).toEqual({ exitCode: 0, stdout: 'get|quay.io', stderr: '' });
  });

  it('kills a helper that outlives its timeout', async () => {
    await fx.installHelper('slow', '#!/bin/sh\nexec sleep 30\n');
    const started = Date.now();
    const error = await spawnCredentialHelper(request('docker-credential-slow', 200)).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_IO')).toBe(true);
    expect((error as Error).message).toMatch(/timed out after 200 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('surfaces an abort during the run as the signal reason', async () => {
    await fx.installHelper('slow', '#!/bin/sh\nexec sleep 30\n');
    const controller = new AbortController();
    const reason = new Error('user abort');
    setTimeout(() => controller.abort(reason), 100);
    await expect(
      spawnCredentialHelper({ ...request('docker-credential-slow'), signal: controller.signal }),
    ).rejects.toBe(reason);
  });
});
