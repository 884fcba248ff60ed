import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type RunningRegistry, startRegistry } from '@ferry/registry-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFerry } from './test-support/run-ferry.ts';

// skopeo runs asynchronously: the registry's fixture lives in this process and must keep serving
const exec = promisify(execFile);
const HELLO = resolve(import.meta.dirname, '../../fixtures/hello-oci');

describe('ferry login, logout, list-tags and delete against a registry with basic auth', () => {
  let registry: RunningRegistry;
  let work: string;
  let password: string;
  let creds: string;
  const authFile = (): string => join(work, 'auth.json');

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'basic' });
    work = await mkdtemp(join(tmpdir(), 'ferry-registry-commands-'));
    password = registry.password as string;
    creds = `${registry.username}:${password}`;
    for (const tag of ['v1', 'v2', 'latest']) await push(`app:${tag}`);
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  async function push(name: string): Promise<void> {
    const dest = `docker://${registry.host}/${name}`;
    await exec('skopeo', ['copy', '-q', '--dest-creds', creds, '--dest-tls-verify=false', `oci:${HELLO}:hello`, dest]);
  }

  const login = (...args: string[]) =>
    runFerry(['login', '--authfile', authFile(), '--tls-verify=false', ...args, registry.host]);

  it('refuses a wrong password without printing it and leaves the auth file alone', async () => {
    const run = await login('-u', 'ferry', '-p', 'not-the-password-42', '--debug');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`ferry: logging into "${registry.host}": invalid username/password\n`);
    expect(run.stderr).toContain('code: ERR_UNAUTHORIZED');
    expect(run.stderr).not.toContain('not-the-password-42');
    expect(run.stdout).toBe('');
    expect(existsSync(authFile())).toBe(false);
  });

  it('logs in, records the credentials as skopeo reads them and tells the user name', async () => {
    const run = await login('-u', 'ferry', '-p', password);
    expect(run).toEqual({ code: 0, stdout: 'Login Succeeded!\n', stderr: '' });
    const file = JSON.parse(await readFile(authFile(), 'utf8'));
    expect(file.auths[registry.host].auth).toBe(Buffer.from(creds).toString('base64'));
    const judged = await exec('skopeo', ['login', '--get-login', '--authfile', authFile(), registry.host]);
    expect(judged.stdout).toBe('ferry\n');
    expect(await login('--get-login')).toEqual({ code: 0, stdout: 'ferry\n', stderr: '' });

    const before = await readFile(authFile(), 'utf8');
    const wrong = await login('-u', 'ferry', '-p', 'wrong');
    expect(wrong.code).toBe(1);
    expect(await readFile(authFile(), 'utf8')).toBe(before);
  });

  it('checks the recorded credentials when none are given', async () => {
    const run = await login();
    expect(run.stdout).toBe(
      `Authenticating with existing credentials for ${registry.host}\n` +
        `Existing credentials are valid. Already logged in to ${registry.host}\n`,
    );
    expect(run.code).toBe(0);
  });

  it('copies and inspects with the credentials of --authfile', async () => {
    const ref = `docker://${registry.host}/app:v1`;
    const inspect = await runFerry(['inspect', '--no-tags', '--authfile', authFile(), '--tls-verify=false', ref]);
    expect(inspect.stderr).toBe('');
    expect(JSON.parse(inspect.stdout).Name).toBe(`${registry.host}/app`);
    const copy = await runFerry([
      'copy',
      '--insecure-policy',
      '--authfile',
      authFile(),
      '--src-tls-verify=false',
      ref,
      `oci:${join(work, 'layout')}:v1`,
    ]);
    expect(copy.code).toBe(0);
    const anonymous = await runFerry(['inspect', '--no-tags', '--tls-verify=false', '--no-creds', ref]);
    expect(anonymous.code).toBe(1);
  });

  it('lists tags exactly as skopeo prints them', async () => {
    const repo = `docker://${registry.host}/app`;
    const run = await runFerry(['list-tags', '--authfile', authFile(), '--tls-verify=false', repo]);
    const judged = await exec('skopeo', ['list-tags', '--creds', creds, '--tls-verify=false', repo]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(judged.stdout);
    expect(JSON.parse(run.stdout)).toEqual({ Repository: `${registry.host}/app`, Tags: ['latest', 'v1', 'v2'] });
  });

  it('lists the tags of a docker-archive as skopeo does, without a Repository', async () => {
    const archive = join(work, 'two-tags.tar');
    await exec('skopeo', [
      'copy',
      '-q',
      '--additional-tag',
      'example.com/team/extra:v9',
      `oci:${HELLO}:hello`,
      `docker-archive:${archive}:app:v1`,
    ]);
    const run = await runFerry(['list-tags', `docker-archive:${archive}`]);
    const judged = await exec('skopeo', ['list-tags', `docker-archive:${archive}`]);
    expect(run.stdout).toBe(judged.stdout);
    expect(JSON.parse(run.stdout)).toEqual({ Tags: ['docker.io/library/app:v1', 'example.com/team/extra:v9'] });
  });

  it('refuses a tag or digest and transports that have no tags, as skopeo does', async () => {
    const tagged = await runFerry(['list-tags', `docker://${registry.host}/app:v1`]);
    expect(tagged).toMatchObject({ code: 1, stderr: 'ferry: No tag or digest allowed in reference\n' });
    const oci = await runFerry(['list-tags', `oci:${HELLO}`]);
    expect(oci.stderr).toBe(
      "ferry: Unsupported transport 'oci' for tag listing. Only supported: docker, docker-archive\n",
    );
    const none = await runFerry(['list-tags', 'app']);
    expect(none.stderr).toBe('ferry: Invalid "app": does not specify a transport\n');
  });

  it('deletes an image (every tag of its manifest) as skopeo does', async () => {
    await push('gone:a');
    await push('gone:b');
    const run = await runFerry([
      'delete',
      '--authfile',
      authFile(),
      '--tls-verify=false',
      `docker://${registry.host}/gone:a`,
    ]);
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
    const judged = await exec('skopeo', [
      'list-tags',
      '--creds',
      creds,
      '--tls-verify=false',
      `docker://${registry.host}/gone`,
    ]);
    expect(JSON.parse(judged.stdout).Tags).toEqual([]);
    const again = await runFerry([
      'delete',
      '--authfile',
      authFile(),
      '--tls-verify=false',
      `docker://${registry.host}/gone:a`,
      '--debug',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('code: ERR_MANIFEST_UNKNOWN');
  });

  it('logs out of one registry, then of all', async () => {
    await writeFile(join(work, 'other.json'), '');
    const run = await runFerry(['logout', '--authfile', authFile(), registry.host]);
    expect(run).toEqual({ code: 0, stdout: `Removed login credentials for ${registry.host}\n`, stderr: '' });
    expect(JSON.parse(await readFile(authFile(), 'utf8')).auths).toEqual({});
    const again = await runFerry(['logout', '--authfile', authFile(), registry.host]);
    expect(again).toMatchObject({ code: 1, stderr: `ferry: not logged into ${registry.host}\n` });
    expect(await login('--get-login')).toMatchObject({ code: 1, stderr: `ferry: not logged into ${registry.host}\n` });

    expect((await login('-u', 'ferry', '-p', password)).code).toBe(0);
    const all = await runFerry(['logout', '--all', '--authfile', authFile()]);
    expect(all).toEqual({ code: 0, stdout: 'Removed login credentials for all registries\n', stderr: '' });
    expect(JSON.parse(await readFile(authFile(), 'utf8')).auths).toEqual({});
  });
});
