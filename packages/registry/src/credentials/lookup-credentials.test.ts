import { join } from 'node:path';
import type { RegistryCredentials } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isIdentityToken, lookupCredentials } from './index.ts';
import { basicAuth, type CredentialFixture, credentialFixture } from './test-support/credential-fixture.ts';

function show(creds: RegistryCredentials | undefined): string | undefined {
  if (creds === undefined) return undefined;
  return isIdentityToken(creds) ? `token=${creds.identityToken}` : `${creds.username}=${creds.password}`;
}

function auths(entries: Record<string, string>): unknown {
  const out: Record<string, { auth: string }> = {};
  for (const [key, user] of Object.entries(entries)) out[key] = { auth: basicAuth(user, `${user}-pw`) };
  return { auths: out };
}

let fx: CredentialFixture;
beforeEach(async () => {
  fx = await credentialFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

const host = { host: 'registry.example:5000' };
const paths = () => ({
  runtime: join(fx.runtimeDir, 'containers', 'auth.json'),
  config: join(fx.home, '.config', 'containers', 'auth.json'),
  docker: join(fx.home, '.docker', 'config.json'),
  legacy: join(fx.home, '.dockercfg'),
});

describe('lookupCredentials: file order', () => {
  it('returns undefined when no file exists', async () => {
    expect(await lookupCredentials(host, fx.options())).toBeUndefined();
  });

  it('searches runtime auth.json, ~/.config auth.json, ~/.docker/config.json, then ~/.dockercfg', async () => {
    const p = paths();
    await fx.write(p.legacy, { 'registry.example:5000': { auth: basicAuth('legacy', 'x') } });
    expect(show(await lookupCredentials(host, fx.options()))).toBe('legacy=x');
    await fx.write(p.docker, auths({ 'registry.example:5000': 'docker' }));
    expect(show(await lookupCredentials(host, fx.options()))).toBe('docker=docker-pw');
    await fx.write(p.config, auths({ 'registry.example:5000': 'config' }));
    expect(show(await lookupCredentials(host, fx.options()))).toBe('config=config-pw');
    await fx.write(p.runtime, auths({ 'registry.example:5000': 'runtime' }));
    expect(show(await lookupCredentials(host, fx.options()))).toBe('runtime=runtime-pw');
  });

  it('goes on to the next file when a file has no entry for the registry', async () => {
    const p = paths();
    await fx.write(p.runtime, auths({ 'other.example': 'runtime' }));
    await fx.write(p.docker, auths({ 'registry.example:5000': 'docker' }));
    expect(show(await lookupCredentials(host, fx.options()))).toBe('docker=docker-pw');
  });

  it('honours XDG_CONFIG_HOME and DOCKER_CONFIG', async () => {
    const configHome = join(fx.root, 'xdg-config');
    const dockerDir = join(fx.root, 'docker-dir');
    await fx.write(paths().docker, auths({ 'registry.example:5000': 'home-docker' }));
    await fx.write(join(dockerDir, 'config.json'), auths({ 'registry.example:5000': 'env-docker' }));
    expect(show(await lookupCredentials(host, fx.options({ env: { DOCKER_CONFIG: dockerDir } })))).toBe(
      'env-docker=env-docker-pw',
    );
    await fx.write(join(configHome, 'containers', 'auth.json'), auths({ 'registry.example:5000': 'xdg' }));
    expect(show(await lookupCredentials(host, fx.options({ env: { XDG_CONFIG_HOME: configHome } })))).toBe(
      'xdg=xdg-pw',
    );
  });

  it('reads only the given authFile, ignoring the Docker files (containers/image semantics)', async () => {
    const authFile = join(fx.root, 'mine.json');
    await fx.write(paths().docker, auths({ 'registry.example:5000': 'docker' }));
    await fx.write(paths().runtime, auths({ 'registry.example:5000': 'runtime' }));
    expect(await lookupCredentials(host, fx.options({ authFile }))).toBeUndefined();
    await fx.write(authFile, auths({ 'registry.example:5000': 'mine' }));
    expect(show(await lookupCredentials(host, fx.options({ authFile })))).toBe('mine=mine-pw');
  });

  it('treats REGISTRY_AUTH_FILE like authFile, and authFile wins over it', async () => {
    const fromEnv = await fx.write(join(fx.root, 'env.json'), auths({ 'registry.example:5000': 'env' }));
    const chosen = await fx.write(join(fx.root, 'chosen.json'), auths({ 'registry.example:5000': 'chosen' }));
    await fx.write(paths().docker, auths({ 'registry.example:5000': 'docker' }));
    const env = { REGISTRY_AUTH_FILE: fromEnv };
    expect(show(await lookupCredentials(host, fx.options({ env })))).toBe('env=env-pw');
    expect(show(await lookupCredentials(host, fx.options({ env, authFile: chosen })))).toBe('chosen=chosen-pw');
  });

  it('skips the runtime file when XDG_RUNTIME_DIR names a missing directory', async () => {
    await fx.write(paths().config, auths({ 'registry.example:5000': 'config' }));
    const env = { XDG_RUNTIME_DIR: join(fx.root, 'missing') };
    expect(show(await lookupCredentials(host, fx.options({ env })))).toBe('config=config-pw');
  });
});

describe('lookupCredentials: keys', () => {
  it('prefers the most specific repository-scoped key', async () => {
    await fx.write(
      paths().runtime,
      auths({ 'quay.io': 'host', 'quay.io/team': 'ns', 'quay.io/team/app': 'repo', 'quay.io/other': 'other' }),
    );
    const look = (repository: string) => lookupCredentials({ host: 'quay.io', repository }, fx.options());
    expect(show(await look('team/app'))).toBe('repo=repo-pw');
    expect(show(await look('team/tool'))).toBe('ns=ns-pw');
    expect(show(await look('team'))).toBe('ns=ns-pw');
    expect(show(await look('solo/app'))).toBe('host=host-pw');
    expect(show(await lookupCredentials({ host: 'quay.io' }, fx.options()))).toBe('host=host-pw');
  });

  it('lets the most specific present key decide even when its entry is empty, then tries the next file', async () => {
    await fx.write(paths().runtime, { auths: { 'quay.io/team': {}, 'quay.io': { auth: basicAuth('host', 'h') } } });
    await fx.write(paths().docker, auths({ 'quay.io': 'docker' }));
    expect(show(await lookupCredentials({ host: 'quay.io', repository: 'team/app' }, fx.options()))).toBe(
      'docker=docker-pw',
    );
  });

  it('matches legacy URL keys (Docker Hub v1 URL, http://host/v1/)', async () => {
    await fx.write(
      paths().docker,
      auths({ 'https://index.docker.io/v1/': 'hub', 'http://registry.example:5000/v1/': 'old' }),
    );
    expect(show(await lookupCredentials({ host: 'docker.io', repository: 'library/busybox' }, fx.options()))).toBe(
      'hub=hub-pw',
    );
    expect(show(await lookupCredentials(host, fx.options()))).toBe('old=old-pw');
  });

  it('matches registry-1.docker.io and index.docker.io keys for docker.io', async () => {
    await fx.write(paths().runtime, auths({ 'registry-1.docker.io': 'r1' }));
    expect(show(await lookupCredentials({ host: 'docker.io' }, fx.options()))).toBe('r1=r1-pw');
  });

  it('reads ~/.dockercfg as a bare map whose keys lose their path', async () => {
    await fx.write(paths().legacy, {
      'registry.example:5000/v1/': { auth: basicAuth('bare', 'b') },
      'https://index.docker.io/v1/': { auth: basicAuth('hub', 'h') },
    });
    expect(show(await lookupCredentials(host, fx.options()))).toBe('bare=b');
    expect(show(await lookupCredentials({ host: 'docker.io', repository: 'x/y' }, fx.options()))).toBe('hub=h');
  });

  it('splits auth at the first colon, keeping colons, trimming NULs, skipping an auth without colon', async () => {
    await fx.write(paths().runtime, { auths: { 'quay.io': { auth: basicAuth('alice', 'a:b::c') } } });
    expect(show(await lookupCredentials({ host: 'quay.io' }, fx.options()))).toBe('alice=a:b::c');
    await fx.write(paths().runtime, { auths: { 'quay.io': { auth: basicAuth('nul', 'pw\0\0') } } });
    expect(show(await lookupCredentials({ host: 'quay.io' }, fx.options()))).toBe('nul=pw');
    await fx.write(paths().runtime, { auths: { 'quay.io': { auth: Buffer.from('no-colon').toString('base64') } } });
    expect(await lookupCredentials({ host: 'quay.io' }, fx.options())).toBeUndefined();
  });

  it('returns an identitytoken as identity-token credentials', async () => {
    await fx.write(paths().docker, { auths: { 'quay.io': { auth: basicAuth('u', ''), identitytoken: 'refresh-1' } } });
    expect(show(await lookupCredentials({ host: 'quay.io' }, fx.options()))).toBe('token=refresh-1');
  });

  it('refuses keys containers/image refuses', async () => {
    for (const target of [
      { host: 'https://quay.io' },
      { host: 'quay.io', repository: 'a/b:tag' },
      { host: 'quay.io', repository: 'a@sha256:00' },
      { host: '' },
    ]) {
      await expect(lookupCredentials(target, fx.options())).rejects.toSatisfy((e) =>
        isImageError(e, 'ERR_INVALID_ARGUMENT'),
      );
    }
  });
});

describe('lookupCredentials: malformed files', () => {
  it('names a file that is not JSON without quoting it', async () => {
    const file = await fx.write(paths().runtime, '{"auths": {"quay.io": {"auth": "c2VjcmV0OnNlY3JldA=="}} oops');
    const error = await lookupCredentials({ host: 'quay.io' }, fx.options()).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).not.toContain('c2VjcmV0');
    expect(JSON.stringify((error as Error).cause ?? null)).not.toContain('c2VjcmV0');
  });

  it('refuses an auths map of the wrong type and an auth that is not base64', async () => {
    await fx.write(paths().runtime, { auths: ['quay.io'] });
    await expect(lookupCredentials({ host: 'quay.io' }, fx.options())).rejects.toThrow(/"auths" is not an object/);
    await fx.write(paths().runtime, { auths: { 'quay.io': { auth: 'not base64 secret!' } } });
    const error = await lookupCredentials({ host: 'quay.io' }, fx.options()).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).not.toContain('secret');
  });

  it('refuses a file that is an array or whose credHelpers are not strings', async () => {
    await fx.write(paths().runtime, '[]');
    await expect(lookupCredentials({ host: 'quay.io' }, fx.options())).rejects.toThrow(/does not hold a JSON object/);
    await fx.write(paths().runtime, { credHelpers: { 'quay.io': 1 } });
    await expect(lookupCredentials({ host: 'quay.io' }, fx.options())).rejects.toThrow(/credHelpers/);
  });

  it('surfaces an abort as the signal reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(lookupCredentials(host, fx.options({ signal: controller.signal }))).rejects.toBe(reason);
  });
});
