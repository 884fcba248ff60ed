import type { CallOptions, RegistryOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { discardBody } from './read-body.ts';
import { signalOf } from './registry-client.ts';
import { openRegistryClient } from './registry-session.ts';

/**
 * Checks credentials against a registry as `skopeo login` does: an authenticated `GET /v2/` (through the
 * token server when the registry uses token auth) that must succeed.
 * @throws {@link ImageError} `ERR_UNAUTHORIZED` when the registry refuses them, `ERR_INVALID_ARGUMENT` when
 * there are none; I/O codes when it cannot be reached.
 * @example
 * ```ts
 * await checkRegistryLogin('127.0.0.1:5000', { credentials: { username, password }, tlsVerify: false });
 * ```
 */
export async function checkRegistryLogin(
  domain: string,
  registry: RegistryOptions,
  options: CallOptions = {},
): Promise<void> {
  if (registry.credentials === undefined && registry.bearerToken === undefined) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `no credentials given to log in to ${domain}`);
  }
  await using client = await openRegistryClient(domain, '', { ...registry, noCredentials: false }, signalOf(options));
  const response = await client.send({
    method: 'GET',
    path: '/v2/',
    scopes: [],
    what: `logging in to ${domain}`,
    kind: 'other',
    ...signalOf(options),
  });
  await discardBody(response.body);
}
