import type { RegistryCredentials } from '@ferry/types';
import { ImageError } from '@ferry/types';
import type { AuthEntry } from './auth-file.ts';
import { identityTokenCredentials, passwordCredentials } from './redacted-credentials.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Turns an `auths` entry into credentials. An `identitytoken` wins (Docker and containers/image use it as
 * an OAuth2 refresh token); otherwise `auth` is base64 of `user:password`, split at the first `:` (the
 * password may hold more) with trailing NULs trimmed. An empty entry (`{}`, which `docker login` writes
 * when a helper holds the secret) or one without `:` yields `undefined`, as Docker skips it.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when `auth` is not base64 (naming file and key only).
 */
export function decodeAuthEntry(entry: AuthEntry, path: string, key: string): RegistryCredentials | undefined {
  const token = entry.identitytoken ?? '';
  if (token !== '') return identityTokenCredentials(token);
  const auth = entry.auth ?? '';
  if (auth === '') return undefined;
  if (!BASE64.test(auth)) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `credentials file ${path}: "auth" of ${JSON.stringify(key)} is not base64`,
    );
  }
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1).replace(/^\0+|\0+$/g, '');
  // containers/image treats an all-empty result as "no credentials here" and goes on searching
  return username === '' && password === '' ? undefined : passwordCredentials(username, password);
}

/** Encodes user name and password as the `auth` field: base64 of `user:password`. */
export function encodeAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}
