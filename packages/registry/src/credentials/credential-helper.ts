import type { RegistryCredentials } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { isPlainObject } from './auth-file.ts';
import { credentialContext } from './auth-file-paths.ts';
import type { CredentialHelperAction, CredentialHelperResult, CredentialOptions } from './credential-options.ts';
import { identityTokenCredentials, isIdentityToken, passwordCredentials } from './redacted-credentials.ts';
import { spawnCredentialHelper } from './spawn-credential-helper.ts';

// the message every docker-credential-helpers helper prints when it holds nothing for a server
const NOT_FOUND = 'credentials not found in native keychain';
// the user name helpers use to mark an identity token
const TOKEN_USER = '<token>';
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Asks `docker-credential-NAME get` for a server's credentials; `undefined` when it has none.
 * @throws {@link ImageError} when the helper is missing, fails or answers malformed JSON.
 */
export async function helperGet(
  name: string,
  serverUrl: string,
  options: CredentialOptions,
): Promise<RegistryCredentials | undefined> {
  const result = await runHelper(name, 'get', serverUrl, options);
  if (result.exitCode !== 0) {
    if (isNotFound(result)) return undefined;
    throw helperFailure(name, 'get', serverUrl, result);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(result.stdout);
  } catch {
    answer = undefined;
  }
  if (!isPlainObject(answer) || typeof answer.Username !== 'string' || typeof answer.Secret !== 'string') {
    // the answer holds the secret: never quote it
    throw new ImageError(
      'ERR_IO',
      `credential helper docker-credential-${name} answered malformed JSON for ${serverUrl}`,
    );
  }
  if (answer.Username === TOKEN_USER) return identityTokenCredentials(answer.Secret);
  if (answer.Username === '' && answer.Secret === '') return undefined;
  return passwordCredentials(answer.Username, answer.Secret);
}

/** Stores credentials with `docker-credential-NAME store` (an identity token as user `<token>`). */
export async function helperStore(
  name: string,
  serverUrl: string,
  credentials: RegistryCredentials,
  options: CredentialOptions,
): Promise<void> {
  const [username, secret] = isIdentityToken(credentials)
    ? [TOKEN_USER, credentials.identityToken]
    : [credentials.username, credentials.password];
  const input = `${JSON.stringify({ ServerURL: serverUrl, Username: username, Secret: secret })}\n`;
  const result = await runHelper(name, 'store', input, options);
  if (result.exitCode !== 0) throw helperFailure(name, 'store', serverUrl, result);
}

/**
 * Erases a server's credentials with `docker-credential-NAME erase`.
 * @returns `false` when the helper held none.
 */
export async function helperErase(name: string, serverUrl: string, options: CredentialOptions): Promise<boolean> {
  const result = await runHelper(name, 'erase', serverUrl, options);
  if (result.exitCode === 0) return true;
  if (isNotFound(result)) return false;
  throw helperFailure(name, 'erase', serverUrl, result);
}

function runHelper(
  name: string,
  action: CredentialHelperAction,
  input: string,
  options: CredentialOptions,
): Promise<CredentialHelperResult> {
  const run = options.runHelper ?? spawnCredentialHelper;
  const { signal } = options;
  return run({
    program: `docker-credential-${name}`,
    action,
    input,
    env: credentialContext(options).env,
    timeoutMs: options.helperTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(signal === undefined ? {} : { signal }),
  });
}

function isNotFound(result: CredentialHelperResult): boolean {
  return result.stdout.trim() === NOT_FOUND || result.stderr.trim() === NOT_FOUND;
}

function helperFailure(name: string, action: string, serverUrl: string, result: CredentialHelperResult): ImageError {
  // helpers print their error message on stdout; it names a problem, not a secret, but keep it short
  const said = (result.stdout.trim() || result.stderr.trim()).slice(0, 200);
  const detail = said === '' ? '' : `: ${said}`;
  return new ImageError(
    'ERR_IO',
    `credential helper docker-credential-${name} ${action} for ${serverUrl} failed with exit status ${result.exitCode}${detail}`,
  );
}
