import type { RegistryCredentials } from '@ferry/types';
import type { AuthFileContents } from './auth-file.ts';
import { readAuthFile } from './auth-file.ts';
import { type AuthFilePath, authFilesToRead } from './auth-file-paths.ts';
import {
  type AuthKey,
  authKey,
  authKeyLookupOrder,
  type CredentialTarget,
  dockerServerAddress,
  normalizeAuthFileKey,
  normalizeRegistry,
} from './auth-key.ts';
import { helperGet } from './credential-helper.ts';
import type { CredentialOptions } from './credential-options.ts';
import { decodeAuthEntry } from './decode-auth-entry.ts';

/**
 * Finds the credentials for a registry (or a repository on it) the way skopeo and podman do
 * (containers/image `pkg/docker/config`). Files are searched in order (see {@link authFilesToRead}); the
 * first file that yields credentials wins. Within a file: a `credHelpers` entry for the host decides alone
 * (`docker-credential-NAME get`); else the `auths` keys `host/ns/repo`, `host/ns`, `host` (first present
 * key decides); else keys in older forms (`https://index.docker.io/v1/`, `http://host/v1/`); else, in a
 * Docker `config.json` only, its `credsStore` helper. Missing files are skipped.
 *
 * The result never prints its secret (see {@link passwordCredentials}).
 * @returns The credentials, or `undefined` when none are configured (anonymous access).
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for a malformed file (named, never quoted) or key,
 * a missing helper; `ERR_IO` for a failing helper or unreadable file; an abort throws `signal.reason`.
 * @example
 * ```ts
 * const creds = await lookupCredentials({ host: 'quay.io', repository: 'team/app' }, { signal });
 * if (creds !== undefined && !isIdentityToken(creds)) basicAuth(creds.username, creds.password);
 * ```
 */
export async function lookupCredentials(
  target: CredentialTarget,
  options: CredentialOptions = {},
): Promise<RegistryCredentials | undefined> {
  const key = authKey(target);
  for (const file of await authFilesToRead(options)) {
    const contents = await readAuthFile(file.path, file.kind, options);
    if (contents === undefined) continue;
    const found = await findInFile(contents, file, key, options);
    if (found !== undefined) return found;
  }
  return undefined;
}

async function findInFile(
  contents: AuthFileContents,
  file: AuthFilePath,
  { key, registry }: AuthKey,
  options: CredentialOptions,
): Promise<RegistryCredentials | undefined> {
  // helpers only know hosts, so a repository key still asks the host's helper
  const helper = ownValue(contents.credHelpers, registry);
  if (helper !== undefined) return helperGet(helper, registry, options);
  const legacy = file.kind === 'legacy';
  const found = findInAuths(contents, file.path, key, registry, legacy);
  if (found !== undefined) return found;
  if (file.kind === 'docker' && contents.credsStore !== undefined) {
    return helperGet(contents.credsStore, dockerServerAddress(registry), options);
  }
  return undefined;
}

function findInAuths(
  contents: AuthFileContents,
  path: string,
  key: string,
  registry: string,
  legacy: boolean,
): RegistryCredentials | undefined {
  for (const candidate of authKeyLookupOrder(key, registry, legacy)) {
    const entry = ownValue(contents.auths, candidate);
    // the most specific present key decides, even when its entry is empty
    if (entry !== undefined) return decodeAuthEntry(entry, path, candidate);
  }
  const normalized = normalizeRegistry(registry);
  for (const [candidate, entry] of Object.entries(contents.auths)) {
    if (normalizeAuthFileKey(candidate, legacy) === normalized) return decodeAuthEntry(entry, path, candidate);
  }
  return undefined;
}

function ownValue<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
