import type { RunningRegistry } from '@ferry/registry-server';
import { type FaultProxy, makeTestImage, startFaultProxy, writeTestImage } from '@ferry/testkit';
import type { RegistryOptions } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dockerTransport, listTags } from './index.ts';
import { leakedSecrets, rejectionOf, secretForms } from './test-support/secret-leaks.ts';
import { freshRepository, sharedRegistry } from './test-support/test-registry.ts';

const registry = sharedRegistry('basic');
let reg: RunningRegistry;
let proxy: FaultProxy;
let repo: string;

beforeAll(async () => {
  reg = await registry();
  proxy = await startFaultProxy({ upstream: reg.url });
  repo = freshRepository('auth-challenge');
  const ref = dockerTransport({ registry: right() }).parseReference(`//${reg.host}/${repo}:v1`);
  await writeTestImage(ref, makeTestImage({ salt: 'challenge' }));
}, 60_000);
afterAll(async () => {
  await proxy?.close();
});
afterEach(() => proxy.clearFaults());

function right(): RegistryOptions {
  return {
    tlsVerify: false,
    retryTimes: 0,
    credentials: { username: reg.username ?? '', password: reg.password ?? '' },
  };
}

/** Lists the tags through the proxy, with every response's `WWW-Authenticate` replaced by `value`. */
async function listWithChallenge(value: string | null): Promise<unknown> {
  proxy.addFault({ action: { kind: 'header', name: 'www-authenticate', value }, times: 100 });
  return rejectionOf(listTags({ domain: proxy.host, path: repo }, { registry: right() }));
}

describe('a malformed WWW-Authenticate challenge from a basic-auth registry', () => {
  it('works through the proxy while the header is left alone', async () => {
    expect(await listTags({ domain: proxy.host, path: repo }, { registry: right() })).toEqual(['v1']);
  });

  const cases: [string, string | null, RegExp][] = [
    ['a bearer challenge with an empty realm', 'Bearer realm=', /WWW-Authenticate|realm/],
    ['a bearer challenge without a realm', 'Bearer service="registry"', /without a realm/],
    ['an unterminated quoted string', 'Bearer realm="http://127.0.0.1:1/token', /malformed WWW-Authenticate/],
    ['garbage', '@@@ ,,, ===', /WWW-Authenticate|unsupported/],
    ['an unsupported scheme', 'Negotiate abc==', /unsupported authentication: negotiate/],
    ['no challenge at all', null, /without a challenge/],
    ['a realm that is not http(s)', 'Bearer realm="file:///etc/passwd",service="x"', /not http\(s\)/],
  ];
  for (const [name, value, message] of cases) {
    it(`${name} gives a clear ERR_UNAUTHORIZED`, async () => {
      const error = await listWithChallenge(value);
      expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(proxy.host);
      expect(leakedSecrets(error, secretForms(reg.username ?? '', reg.password ?? ''))).toEqual([]);
      expect(proxy.requests().some((r) => r.fault === 'header')).toBe(true);
    });
  }

  it('a bearer challenge whose realm refuses the connection gives a coded error, not a hang', async () => {
    const error = await listWithChallenge('Bearer realm="http://127.0.0.1:1/token",service="x"');
    expect(isImageError(error, 'ERR_IO') || isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
    expect(leakedSecrets(error, secretForms(reg.username ?? '', reg.password ?? ''))).toEqual([]);
  });

  it('a malformed challenge only on a later 401 (not on the ping) is still ERR_UNAUTHORIZED', async () => {
    const anonymous: RegistryOptions = { tlsVerify: false, retryTimes: 0, noCredentials: true };
    proxy.addFault({
      path: /\/tags\/list/,
      action: { kind: 'header', name: 'www-authenticate', value: 'Bearer realm=' },
      times: 10,
    });
    const error = await rejectionOf(listTags({ domain: proxy.host, path: repo }, { registry: anonymous }));
    expect(isImageError(error, 'ERR_UNAUTHORIZED'), String(error)).toBe(true);
    expect((error as Error).message).toContain(proxy.host);
  });
});
