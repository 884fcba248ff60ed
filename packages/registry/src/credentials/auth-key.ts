import { ImageError } from '@ferry/types';

/** Whose credentials: a registry host, optionally narrowed to a namespace or repository on it. */
export interface CredentialTarget {
  /** The registry as in a reference: `docker.io`, `quay.io`, `127.0.0.1:5000`. */
  readonly host: string;
  /** A repository or namespace on it, e.g. `library/busybox`; auth files may hold entries for it. */
  readonly repository?: string;
}

/** An auth-file key checked as containers/image checks it. */
export interface AuthKey {
  /** `host` or `host/repository`. */
  readonly key: string;
  /** The host part. */
  readonly registry: string;
  /** Whether the key names more than a host (credential helpers only know hosts). */
  readonly namespaced: boolean;
}

/**
 * Builds the auth-file key for a target, refusing what containers/image refuses: a URL scheme, a digest
 * (`@`) or a tag (`:` after the host).
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT`.
 */
export function authKey(target: CredentialTarget): AuthKey {
  const { host, repository } = target;
  const key = repository === undefined || repository === '' ? host : `${host}/${repository}`;
  const problem = keyProblem(host, repository);
  if (problem !== undefined) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `invalid credentials key ${JSON.stringify(key)}: ${problem}`);
  }
  return { key, registry: host, namespaced: key !== host };
}

function keyProblem(host: string, repository: string | undefined): string | undefined {
  if (host === '') return 'the registry host is empty';
  if (/^https?:\/\//.test(host)) return 'it has an http[s]:// prefix';
  if (host.includes('/')) return 'the registry host contains "/"';
  if (host.includes('@') || repository?.includes('@') === true) return 'it contains "@"';
  if (repository === undefined || repository === '') return undefined;
  if (repository.includes(':')) return 'it contains ":" after the host';
  if (repository.split('/').some((part) => part === '')) return 'the repository has an empty path component';
  return undefined;
}

/**
 * The `auths` keys to try for `key`, best first: `host/ns/repo`, `host/ns`, `host`. A legacy file only
 * knows hosts.
 */
export function authKeyLookupOrder(key: string, registry: string, legacy: boolean): string[] {
  if (legacy) return [registry];
  const keys: string[] = [];
  let current = key;
  for (;;) {
    keys.push(current);
    const slash = current.lastIndexOf('/');
    if (slash === -1) return keys;
    current = current.slice(0, slash);
  }
}

/** Maps Docker Hub's host names to one (`docker.io`, `registry-1.docker.io` → `index.docker.io`). */
export function normalizeRegistry(registry: string): string {
  return registry === 'docker.io' || registry === 'registry-1.docker.io' ? 'index.docker.io' : registry;
}

/**
 * Reduces an `auths` key written by older tools (`https://index.docker.io/v1/`, `http://host/v1/`) to a
 * normalized host; in a legacy file even a key without a scheme loses its path.
 */
export function normalizeAuthFileKey(key: string, legacy: boolean): string {
  const stripped = key.replace(/^https?:\/\//, '');
  const host = legacy || stripped !== key ? (stripped.split('/')[0] ?? '') : stripped;
  return normalizeRegistry(host);
}

/** The server address Docker uses for a registry in its credential store (Docker Hub's is a v1 URL). */
export function dockerServerAddress(registry: string): string {
  return normalizeRegistry(registry) === 'index.docker.io' ? 'https://index.docker.io/v1/' : registry;
}
