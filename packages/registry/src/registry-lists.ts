import type { SystemOptions } from '@ferry/types';
import { pullScope } from './manifest-requests.ts';
import { readPagedList } from './paged-list.ts';
import { signalOf } from './registry-client.ts';
import { openRegistryClient } from './registry-session.ts';

/** A repository on a registry, as in a reference: `{ domain: 'docker.io', path: 'library/busybox' }`. */
export interface RepositoryName {
  readonly domain: string;
  readonly path: string;
}

/** Options of {@link listTags} and {@link listRepositories}. */
export interface ListOptions extends SystemOptions {
  /**
   * Items asked for per page (`?n=`); the registry may send fewer. Every page is read either way.
   * @default the registry's own page size
   */
  readonly pageSize?: number;
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
export async function listTags(repository: RepositoryName, options: ListOptions = {}): Promise<string[]> {
  await using client = await openRegistryClient(
    repository.domain,
    repository.path,
    options.registry,
    signalOf(options),
  );
  return await readPagedList(client, {
    path: `/v2/${repository.path}/tags/list${pageQuery(options)}`,
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
export async function listRepositories(domain: string, options: ListOptions = {}): Promise<string[]> {
  await using client = await openRegistryClient(domain, '', options.registry, signalOf(options));
  return await readPagedList(client, {
    path: `/v2/_catalog${pageQuery(options)}`,
    scopes: ['registry:catalog:*'],
    field: 'repositories',
    what: `the catalog of ${domain}`,
    kind: 'catalog',
    ...signalOf(options),
  });
}

function pageQuery(options: ListOptions): string {
  return options.pageSize === undefined ? '' : `?n=${Math.max(1, Math.floor(options.pageSize))}`;
}
