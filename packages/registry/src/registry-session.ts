import type { CallOptions, RegistryCredentials, RegistryOptions } from '@ferry/types';
import { lookupCredentials } from './credentials/index.ts';
import type { CredentialResolver } from './registry-auth.ts';
import { RegistryClient } from './registry-client.ts';

/** Docker Hub's API host: references name `docker.io`, the API lives elsewhere. */
const DOCKER_HUB_API = 'registry-1.docker.io';

/** The host the API of a reference's registry answers on. */
export function apiHost(domain: string): string {
  return domain === 'docker.io' ? DOCKER_HUB_API : domain;
}

/**
 * Where credentials come from, in containers/image's order: a bearer token or explicit credentials from
 * the options, nothing with `noCredentials`, else the auth files (repository-scoped entries first).
 */
export function credentialResolver(domain: string, repository: string, options: RegistryOptions): CredentialResolver {
  const explicit = options.credentials;
  if (explicit !== undefined) return async () => explicit;
  if (options.noCredentials === true) return async () => undefined;
  return (callOptions: CallOptions): Promise<RegistryCredentials | undefined> =>
    lookupCredentials(
      { host: domain, repository },
      { ...callOptions, ...(options.authFile === undefined ? {} : { authFile: options.authFile }) },
    );
}

/** Opens a client for a repository of a registry named as in a reference (`docker.io`, `host:port`). */
export function openRegistryClient(
  domain: string,
  repository: string,
  options: RegistryOptions = {},
  callOptions: CallOptions = {},
): Promise<RegistryClient> {
  return RegistryClient.open(apiHost(domain), {
    certHost: domain,
    registry: options,
    credentials: credentialResolver(domain, repository, options),
    ...callOptions,
  });
}
