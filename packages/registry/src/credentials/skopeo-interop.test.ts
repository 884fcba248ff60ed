import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isIdentityToken, lookupCredentials, passwordCredentials, storeCredentials } from './index.ts';
import { type CredentialFixture, credentialFixture } from './test-support/credential-fixture.ts';

const run = promisify(execFile);

let fx: CredentialFixture;
beforeEach(async () => {
  fx = await credentialFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

// skopeo 1.9 (containers/image) is the independent judge of the file format
async function skopeo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('skopeo', args, { env: { ...process.env, ...fx.env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('interoperability with skopeo', () => {
  it('skopeo reads the user name stored by storeCredentials, host and repository keys alike', async () => {
    const file = join(fx.root, 'auth.json');
    await storeCredentials(
      { host: '127.0.0.1:5000' },
      passwordCredentials('alice', 'a:b'),
      fx.options({ authFile: file }),
    );
    const target = { host: 'quay.io', repository: 'team/app' };
    await storeCredentials(target, { username: 'bob', password: 'x' }, fx.options({ authFile: file }));
    expect((await skopeo('login', '--get-login', '--authfile', file, '127.0.0.1:5000')).stdout.trim()).toBe('alice');
    expect((await skopeo('login', '--get-login', '--authfile', file, 'quay.io/team/app')).stdout.trim()).toBe('bob');
    const missing = await skopeo('login', '--get-login', '--authfile', file, 'quay.io');
    expect(missing.code).not.toBe(0);
  });

  it('reads what skopeo leaves after logout, and skopeo logout --all agrees with the file we wrote', async () => {
    const file = join(fx.root, 'auth.json');
    await storeCredentials({ host: 'a.example' }, passwordCredentials('a', '1'), fx.options({ authFile: file }));
    await storeCredentials({ host: 'b.example' }, passwordCredentials('b', '2'), fx.options({ authFile: file }));
    expect((await skopeo('logout', '--authfile', file, 'a.example')).code).toBe(0);
    expect(await lookupCredentials({ host: 'a.example' }, fx.options({ authFile: file }))).toBeUndefined();
    const b = await lookupCredentials({ host: 'b.example' }, fx.options({ authFile: file }));
    expect(b !== undefined && !isIdentityToken(b) && b.password).toBe('2');
    expect((await skopeo('logout', '--all', '--authfile', file)).code).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ auths: {} });
  });

  it('agrees with skopeo on a credHelpers entry served by the fake helper', async () => {
    const file = await fx.write(join(fx.root, 'auth.json'), { credHelpers: { 'quay.io': 'fake' } });
    await fx.seedHelper('quay.io', 'helped', 'pw');
    expect((await skopeo('login', '--get-login', '--authfile', file, 'quay.io')).stdout.trim()).toBe('helped');
    const creds = await lookupCredentials({ host: 'quay.io' }, fx.options({ authFile: file }));
    expect(creds !== undefined && !isIdentityToken(creds) && creds.username).toBe('helped');
  });
});
