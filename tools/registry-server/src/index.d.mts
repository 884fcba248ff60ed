// Types of the registry test fixture (the implementation is plain ESM with JSDoc).

export type RegistryMode = 'http' | 'basic' | 'tls' | 'token';

export interface StartRegistryOptions {
  /** `http`: plain HTTP, no auth; `basic`: htpasswd; `tls`: HTTPS with a test CA, no auth; `token`: `auth: token`. */
  readonly mode: RegistryMode;
  /** user name → password for `basic` and `token` (default: { ferry: 'ferry-test-password' }) */
  readonly users?: Readonly<Record<string, string>>;
  /** serve HTTPS (default: `mode === 'tls'`); set it to combine TLS with `basic` or `token` */
  readonly tls?: boolean;
  /** lifetime of issued tokens (default: 300) */
  readonly tokenTtlSeconds?: number;
  /** token mode: grant `pull` to requests without credentials (default: false) */
  readonly anonymousPull?: boolean;
  readonly logLevel?: string;
  readonly binary?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface TokenRequest {
  readonly method: 'GET' | 'POST';
  readonly account: string | undefined;
  readonly grantType: string;
  readonly scopes: string[];
  readonly status: number;
}

export interface TokenInfo {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  requests(): readonly TokenRequest[];
}

export interface RunningRegistry {
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly caFile: string | undefined;
  /** TLS: a directory holding only `ca.crt`, for `--cert-dir` */
  readonly certDir: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly users: Readonly<Record<string, string>>;
  readonly storageDir: string;
  readonly token: TokenInfo | undefined;
  logs(): string;
  stop(): Promise<void>;
}

export function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry>;

export interface TokenIssuerOptions {
  readonly certFile: string;
  readonly keyFile: string;
  readonly users: Readonly<Record<string, string>>;
  readonly service: string;
  readonly issuer: string;
  readonly ttlSeconds?: number;
  readonly anonymousPull?: boolean;
}

export interface TokenIssuer {
  readonly realm: string;
  requests(): readonly TokenRequest[];
  close(): Promise<void>;
}

export function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer>;
