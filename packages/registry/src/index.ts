/**
 * The OCI distribution client on undici and the `docker://` transport: references with Docker Hub
 * defaults, anonymous/basic/bearer authentication with credentials from the containers and Docker auth
 * files, TLS settings, retries, resumable downloads and chunked resumable uploads, cross-repository
 * mounts driven by the blob-info cache, tags, catalog, delete; signatures in `registries.d` lookasides and
 * sigstore attachments.
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
export {
  isWritableLookaside,
  lookasideSignatureUrl,
  type ReadLookasideOptions,
  readLookasideSignatures,
  SIGNATURE_LIMIT,
  writeLookasideSignatures,
} from './lookaside.ts';
export { type ListReferrersOptions, listReferrers, referrersTag } from './referrers.ts';
export {
  type LoadRegistriesConfigOptions,
  loadRegistriesConfig,
  parseRegistriesFile,
  type RegistriesConfig,
  registriesDirPath,
  type SignatureStorageNamespace,
} from './registries-d.ts';
export { isRegistryError, RegistryError, type RegistryErrorEntry } from './registry-error.ts';
export { type ListOptions, listRepositories, listTags, type RepositoryName } from './registry-lists.ts';
export {
  builtinLookasideBase,
  openSignatureStorage,
  type SignatureStorage,
  type SignatureStorageEnvironment,
  signatureStorageFor,
} from './signature-storage.ts';
export { sigstoreAttachmentTag } from './sigstore-attachments.ts';
