/**
 * The OCI distribution client on undici and the `docker://` transport: references with Docker Hub
 * defaults, anonymous/basic/bearer authentication with credentials from the containers and Docker auth
 * files, TLS settings, retries, resumable downloads and chunked resumable uploads, cross-repository
 * mounts driven by the blob-info cache, tags, catalog, delete.
 *
 * @packageDocumentation
 */
export { checkRegistryLogin } from './check-login.ts';
export type { CredentialOptions, CredentialTarget, RemoveCredentialsOptions } from './credentials/index.ts';
export {
  authFileToWrite,
  identityTokenCredentials,
  lookupCredentials,
  passwordCredentials,
  removeAllCredentials,
  removeCredentials,
  storeCredentials,
} from './credentials/index.ts';
export { parseDockerImageName, type RegistryImageName } from './docker-reference.ts';
export { type DockerImageReference, type DockerTransportOptions, dockerTransport } from './docker-transport.ts';
export { type ListReferrersOptions, listReferrers, referrersTag } from './referrers.ts';
export { isRegistryError, RegistryError, type RegistryErrorEntry } from './registry-error.ts';
export { type ListOptions, listRepositories, listTags, type RepositoryName } from './registry-lists.ts';
