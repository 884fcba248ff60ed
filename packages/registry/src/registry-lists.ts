import type { SystemOptions } from '@ferry/types';
import { pullScope, signalOf } from './manifest-requests.ts';
import { readPagedList } from './paged-list.ts';
import { openRegistryClient } from './registry-session.ts';

/** A repository on a registry, as in a reference: `{ domain: 'docker.io', path: 'library/busybox' }`. */
export interface RepositoryName {
  readonly domain: string;
  readonly path: string;
}

/**
 * Lists every tag of a repository (`GET /v2/NAME/tags/list`, following `Link` pagination), as
 * `skopeo list-tags` does.
 * @throws {@link ImageError} `ERR_NAME_UNKNOWN`-like 404s as `ERR_MANIFEST_UNKNOWN`, auth and I/O codes.
 * @example
 * ```ts
 * const tags = await listTags({ domain: '127.0.0.1:5000', path: 'app' }, { registry: { tlsVerify: false } });
 * ```
 */
export async function listTags(repository: RepositoryName, options: SystemOptions = {}): Promise<string[]> {
  await using client = await openRegistryClient(
    repository.domain,
    repository.path,
    options.registry,
    signalOf(options),
  );
  return await readPagedList(client, {
    path: `/v2/${repository.path}/tags/list`,
    scopes: [pullScope(repository.path)],
    field: 'tags',
    what: `tags of ${repository.domain}/${repository.path}`,
    kind: 'tags',
    ...signalOf(options),
  });
}

/**
 * Lists the repositories of a registry (`GET /v2/_catalog`, following `Link` pagination).
 * @example
 * ```ts
 * const repositories = await listRepositories('127.0.0.1:5000', { registry: { tlsVerify: false } });
 * ```
 */
export async function listRepositories(domain: string, options: SystemOptions = {}): Promise<string[]> {
  await using client = await openRegistryClient(domain, '', options.registry, signalOf(options));
  return await readPagedList(client, {
    path: '/v2/_catalog',
    scopes: ['registry:catalog:*'],
    field: 'repositories',
    what: `the catalog of ${domain}`,
    kind: 'catalog',
    ...signalOf(options),
  });
}
