/**
 * Registry credentials as skopeo, podman and Docker keep them: containers `auth.json`, Docker
 * `config.json` and `.dockercfg`, `credHelpers`/`credsStore` helpers.
 *
 * @packageDocumentation
 */
export { type AuthFileKind, type AuthFilePath, authFilesToRead, authFileToWrite } from './auth-file-paths.ts';
export type { CredentialTarget } from './auth-key.ts';
export type {
  CredentialEnv,
  CredentialHelperAction,
  CredentialHelperRequest,
  CredentialHelperResult,
  CredentialHelperRunner,
  CredentialOptions,
} from './credential-options.ts';
export { lookupCredentials } from './lookup-credentials.ts';
export { identityTokenCredentials, isIdentityToken, passwordCredentials } from './redacted-credentials.ts';
export { type RemoveCredentialsOptions, removeAllCredentials, removeCredentials } from './remove-credentials.ts';
export { spawnCredentialHelper } from './spawn-credential-helper.ts';
export { storeCredentials } from './store-credentials.ts';
