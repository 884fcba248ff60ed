import { inspect } from 'node:util';
import type { RegistryCredentials } from '@ferry/types';

const REDACTED = '[redacted]';

/**
 * A user name and password whose password stays out of `JSON.stringify`, `String()`, template strings,
 * `util.inspect` (even with `showHidden`) and object spread: it lives in a private field behind a getter.
 */
class PasswordCredentials {
  readonly username: string;
  readonly #password: string;
  constructor(username: string, password: string) {
    this.username = username;
    this.#password = password;
    Object.freeze(this);
  }
  get password(): string {
    return this.#password;
  }
  toJSON(): { username: string; password: string } {
    return { username: this.username, password: REDACTED };
  }
  toString(): string {
    return `[credentials for ${this.username}]`;
  }
  [inspect.custom](): string {
    return `Credentials { username: ${JSON.stringify(this.username)}, password: ${REDACTED} }`;
  }
}

/** An identity (OAuth2 refresh) token, hidden the same way as {@link PasswordCredentials}' password. */
class IdentityTokenCredentials {
  readonly #identityToken: string;
  constructor(identityToken: string) {
    this.#identityToken = identityToken;
    Object.freeze(this);
  }
  get identityToken(): string {
    return this.#identityToken;
  }
  toJSON(): { identityToken: string } {
    return { identityToken: REDACTED };
  }
  toString(): string {
    return '[identity token]';
  }
  [inspect.custom](): string {
    return `Credentials { identityToken: ${REDACTED} }`;
  }
}

/**
 * Makes user name and password credentials that never print their password: `JSON.stringify`,
 * `String()` and `util.inspect` show `[redacted]`, and `{ ...credentials }` drops it.
 *
 * @example
 * ```ts
 * const creds = passwordCredentials('alice', 's3cret');
 * JSON.stringify(creds); // '{"username":"alice","password":"[redacted]"}'
 * creds.password; // 's3cret'
 * ```
 */
export function passwordCredentials(
  username: string,
  password: string,
): { readonly username: string; readonly password: string } {
  return new PasswordCredentials(username, password);
}

/**
 * Makes identity-token credentials (an OAuth2 refresh token, the `identitytoken` of an auth file or a
 * helper's `<token>` user) that never print the token.
 *
 * @example
 * ```ts
 * const creds = identityTokenCredentials(token);
 * String(creds); // '[identity token]'
 * ```
 */
export function identityTokenCredentials(identityToken: string): { readonly identityToken: string } {
  return new IdentityTokenCredentials(identityToken);
}

/**
 * Tells whether credentials carry an identity token rather than a user name and password.
 *
 * @example
 * ```ts
 * if (isIdentityToken(creds)) useRefreshToken(creds.identityToken);
 * ```
 */
export function isIdentityToken(credentials: RegistryCredentials): credentials is { readonly identityToken: string } {
  return 'identityToken' in credentials;
}
