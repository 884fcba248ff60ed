import type { CallOptions, RegistryCredentials } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import type { Dispatcher } from 'undici';
import { type BearerToken, fetchBearerToken } from './bearer-token.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { parseWwwAuthenticate } from './www-authenticate.ts';

/** Finds the credentials for the registry, once, when the registry first asks for them. */
export type CredentialResolver = (options: CallOptions) => Promise<RegistryCredentials | undefined>;

/** Settings of a {@link RegistryAuth}. */
export interface RegistryAuthOptions {
  readonly host: string;
  readonly dispatcher: Dispatcher;
  readonly userAgent: string;
  readonly credentials: CredentialResolver;
  /** A bearer token used as is (`--registry-token`). */
  readonly bearerToken?: string;
  /** Retries of token requests (the registry client's policy). @default none */
  readonly retry?: RetryPolicy;
}

type Challenge =
  | { readonly scheme: 'none' }
  | { readonly scheme: 'basic' }
  | { readonly scheme: 'bearer'; readonly realm: string; readonly service: string | undefined };

/**
 * The authorization state of one registry host: the challenge it answered with, the credentials, and a
 * cache of bearer tokens per set of scopes (`repository:NAME:pull,push`), each fetched once even when many
 * requests want it at the same moment, and renewed before it expires.
 */
export class RegistryAuth {
  readonly #options: RegistryAuthOptions;
  #challenge: Challenge = { scheme: 'none' };
  #secure = false;
  #credentials: Promise<RegistryCredentials | undefined> | undefined;
  readonly #tokens = new Map<string, Promise<BearerToken>>();

  constructor(options: RegistryAuthOptions) {
    this.#options = options;
  }

  /** The `Authorization` header for a request needing `scopes`, or `undefined` to go anonymous. */
  async authorization(scopes: readonly string[], options: CallOptions = {}): Promise<string | undefined> {
    if (this.#options.bearerToken !== undefined) return `Bearer ${this.#options.bearerToken}`;
    const challenge = this.#challenge;
    if (challenge.scheme === 'none') return undefined;
    if (challenge.scheme === 'basic') {
      const creds = await this.#credentialsOnce(options);
      if (creds === undefined) return undefined;
      if (!('username' in creds)) {
        throw new ImageError(
          'ERR_UNAUTHORIZED',
          `${this.#options.host} wants basic auth, but only an identity token is set`,
        );
      }
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    return `Bearer ${(await this.#token(challenge, scopes, options)).token}`;
  }

  /**
   * Learns from a 401: records the challenge and drops the token that was refused. Returns whether the
   * request is worth sending again (a new challenge or a fresh token may help); `false` means the
   * credentials themselves were refused.
   * @throws {@link ImageError} `ERR_UNAUTHORIZED` for a malformed or unusable `WWW-Authenticate` header.
   */
  onUnauthorized(
    header: string | undefined,
    scopes: readonly string[],
    sentAuthorization: string | undefined,
  ): boolean {
    if (this.#options.bearerToken !== undefined) return false;
    const next = this.#parseChallenge(header);
    const before = this.#challenge;
    this.#challenge = next;
    if (before.scheme !== next.scheme) return true;
    if (next.scheme === 'bearer') {
      // the refused token may have been revoked or be short of a scope: one fresh token is worth a try
      // (the client retries authentication once per request, so refused credentials end there)
      if (sentAuthorization !== undefined) this.#tokens.delete(scopeKey(scopes));
      return true;
    }
    return sentAuthorization === undefined;
  }

  /** Records where the registry answered, so that a token realm never downgrades HTTPS to plain HTTP. */
  setRegistryOrigin(base: URL): void {
    this.#secure = base.protocol === 'https:';
  }

  /** Records the challenge of a `/v2/` ping. */
  recordPing(header: string | undefined): void {
    if (this.#options.bearerToken !== undefined || header === undefined) return;
    this.#challenge = this.#parseChallenge(header);
  }

  /** Whether any credentials (explicit, looked up or a bearer token) will be sent when asked. */
  async hasCredentials(options: CallOptions = {}): Promise<boolean> {
    return this.#options.bearerToken !== undefined || (await this.#credentialsOnce(options)) !== undefined;
  }

  #parseChallenge(header: string | undefined): Challenge {
    if (header === undefined || header.trim() === '') {
      throw new ImageError('ERR_UNAUTHORIZED', `${this.#options.host} asked for authentication without a challenge`);
    }
    const challenges = parseWwwAuthenticate(header, this.#options.host);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer !== undefined) {
      const realm = bearer.params.realm;
      if (realm === undefined || realm === '') {
        throw new ImageError('ERR_UNAUTHORIZED', `${this.#options.host} sent a bearer challenge without a realm`);
      }
      return { scheme: 'bearer', realm, service: bearer.params.service };
    }
    if (challenges.some((c) => c.scheme === 'basic')) return { scheme: 'basic' };
    const names = challenges.map((c) => c.scheme).join(', ');
    throw new ImageError('ERR_UNAUTHORIZED', `${this.#options.host} asked for unsupported authentication: ${names}`);
  }

  #credentialsOnce(options: CallOptions): Promise<RegistryCredentials | undefined> {
    if (this.#credentials === undefined) {
      this.#credentials = this.#options.credentials(options);
      // a failed lookup (e.g. a helper that crashed) is tried again by the next request
      this.#credentials.catch(() => {
        this.#credentials = undefined;
      });
    }
    return this.#credentials;
  }

  async #token(
    challenge: Extract<Challenge, { scheme: 'bearer' }>,
    scopes: readonly string[],
    options: CallOptions,
  ): Promise<BearerToken> {
    const key = scopeKey(scopes);
    const cached = this.#tokens.get(key);
    if (cached !== undefined) {
      const token = await cached.catch((error: unknown) => {
        // a refusal is shared by every request that waited for it: asking again would only send the refused
        // password again (and count towards a lockout); another request's abort or I/O failure is not ours
        if (isImageError(error, 'ERR_UNAUTHORIZED')) throw error;
        return undefined;
      });
      if (token !== undefined && token.expiresAt > Date.now()) return token;
      if (this.#tokens.get(key) === cached) this.#tokens.delete(key);
      else return this.#token(challenge, scopes, options);
    }
    const pending = (async (): Promise<BearerToken> => {
      const credentials = await this.#credentialsOnce(options);
      const token = await fetchBearerToken({
        dispatcher: this.#options.dispatcher,
        host: this.#options.host,
        realm: challenge.realm,
        service: challenge.service,
        scopes: [...scopes].sort(),
        credentials,
        userAgent: this.#options.userAgent,
        secure: this.#secure,
        ...(this.#options.retry === undefined ? {} : { retry: this.#options.retry }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      // a refresh token replaces the password for later token requests of this registry
      if (token.refreshToken !== undefined) this.#credentials = Promise.resolve({ identityToken: token.refreshToken });
      return token;
    })();
    this.#tokens.set(key, pending);
    pending.catch(() => {
      if (this.#tokens.get(key) === pending) this.#tokens.delete(key);
    });
    return pending;
  }
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}
