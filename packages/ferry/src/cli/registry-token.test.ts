import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type RunningRegistry, startRegistry } from '@ferry/registry-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFerry } from './test-support/run-ferry.ts';

// the token issuer runs in this process: skopeo must run asynchronously so it can answer
const exec = promisify(execFile);
const HELLO = resolve(import.meta.dirname, '../../fixtures/hello-oci');

describe('ferry login and list-tags against a registry with token auth', () => {
  let registry: RunningRegistry;
  let work: string;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'token' });
    work = await mkdtemp(join(tmpdir(), 'ferry-login-token-'));
    const creds = `${registry.username}:${registry.password}`;
    for (const tag of ['one', 'two']) {
      const dest = `docker://${registry.host}/tokens:${tag}`;
      await exec('skopeo', [
        'copy',
        '-q',
        '--dest-creds',
        creds,
        '--dest-tls-verify=false',
        `oci:${HELLO}:hello`,
        dest,
      ]);
    }
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('logs in through the token server, then lists tags with the stored credentials', async () => {
    const authFile = join(work, 'auth.json');
    const base = ['login', '--authfile', authFile, '--tls-verify=false', '-u', 'ferry'];
    const wrong = await runFerry([...base, '-p', 'wrong-token-password', registry.host]);
    expect(wrong).toMatchObject({
      code: 1,
      stderr: `ferry: logging into "${registry.host}": invalid username/password\n`,
    });
    const right = await runFerry([...base, '-p', registry.password as string, registry.host]);
    expect(right).toEqual({ code: 0, stdout: 'Login Succeeded!\n', stderr: '' });
    expect(registry.token?.requests().some((r) => r.account === 'ferry' && r.status === 200)).toBe(true);

    const repo = `docker://${registry.host}/tokens`;
    const run = await runFerry(['list-tags', '--authfile', authFile, '--tls-verify=false', repo]);
    expect(run.stderr).toBe('');
    const judged = await exec('skopeo', ['list-tags', '--authfile', authFile, '--tls-verify=false', repo]);
    expect(run.stdout).toBe(judged.stdout);
    expect(JSON.parse(run.stdout).Tags).toEqual(['one', 'two']);
    const anonymous = await runFerry(['list-tags', '--no-creds', '--tls-verify=false', repo]);
    expect(anonymous.code).toBe(1);
  });
});
