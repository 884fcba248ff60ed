import type { NamedReference } from './named-reference.ts';

/** Options every I/O call takes. */
export interface CallOptions {
  /**
   * Aborts the call. Implementations MUST forward it to every I/O they start and MUST surface an abort as
   * `signal.reason` itself, never wrapped in another error.
   */
  readonly signal?: AbortSignal;
}

/** A platform as the OCI image spec describes it. */
export interface Platform {
  /** Operating system, e.g. `linux`. */
  readonly os: string;
  /** CPU architecture in GOARCH form, e.g. `amd64`, `arm64`. */
  readonly architecture: string;
  /** CPU variant, e.g. `v7` for `arm`. */
  readonly variant?: string;
  /** OS version, e.g. `10.0.17763.1879` for Windows images. */
  readonly osVersion?: string;
  /** Required OS features. */
  readonly osFeatures?: readonly string[];
}

/**
 * Settings for opening a source or destination: the TypeScript counterpart of containers/image's
 * `SystemContext`. Transports read the members that concern them and ignore the rest; later releases add
 * members (registry credentials, TLS, archive options) as optional fields.
 */
export interface SystemOptions extends CallOptions {
  // `signal` (from CallOptions) aborts only the opening call; each later call on the opened source or
  // destination takes its own `signal`.
  /**
   * Platform to choose from lists instead of the running system's; missing fields come from the system.
   * @default the running system's platform
   */
  readonly platform?: Partial<Platform>;
  /**
   * Writing to an OCI layout or archive: keep uncompressed layers uncompressed instead of gzipping them
   * (skopeo's `--dest-oci-accept-uncompressed-layers`).
   * @default false
   */
  readonly ociAcceptUncompressedLayers?: boolean;
  /**
   * Writing a Docker archive: tags recorded for the image besides the destination's own reference
   * (skopeo's `--additional-tag`).
   * @default []
   */
  readonly additionalTags?: readonly NamedReference[];
  /**
   * Directory for temporary files (spooled streams, staged blobs).
   * @default the transport's own choice: beside the target when writing, `os.tmpdir()` otherwise
   */
  readonly tempDir?: string;
  /**
   * How to reach registries (`docker://`): credentials, TLS and retries. Other transports ignore it.
   * @default {} (credentials from the auth files, TLS verified, 3 retries)
   */
  readonly registry?: RegistryOptions;
}

/** A user name and password (or an identity token) for a registry. */
export type RegistryCredentials =
  | { readonly username: string; readonly password: string }
  | { readonly identityToken: string };

/**
 * Settings for talking to a registry: the counterpart of containers/image's `Docker*` fields of
 * `SystemContext` and of skopeo's `--creds`, `--registry-token`, `--tls-verify`, `--cert-dir`,
 * `--authfile`, `--no-creds` and `--retry-times`. Never logged or put in an error.
 */
export interface RegistryOptions {
  /**
   * Credentials to use instead of looking them up (`--creds`).
   * @default looked up in the auth files
   */
  readonly credentials?: RegistryCredentials;
  /**
   * A bearer token sent as is, without the token handshake (`--registry-token`).
   * @default none
   */
  readonly bearerToken?: string;
  /**
   * Access the registry anonymously, ignoring the auth files (`--no-creds`).
   * @default false
   */
  readonly noCredentials?: boolean;
  /**
   * The containers auth file to read credentials from (`--authfile`; `REGISTRY_AUTH_FILE` otherwise).
   * @default the containers and Docker defaults
   */
  readonly authFile?: string;
  /**
   * Verify TLS certificates and require HTTPS. `false` accepts any certificate and falls back to plain
   * HTTP when the registry does not speak TLS (`--tls-verify=false`).
   * @default true
   */
  readonly tlsVerify?: boolean;
  /**
   * A directory of `*.crt` CA files and `*.cert`/`*.key` client pairs (`--cert-dir`).
   * @default /etc/containers/certs.d/HOST, /etc/docker/certs.d/HOST, ~/.config/containers/certs.d/HOST
   */
  readonly certDir?: string;
  /**
   * How many times a failed request is retried (`--retry-times`).
   * @default 3
   */
  readonly retryTimes?: number;
  /**
   * Fixed delay between retries in milliseconds (`--retry-delay`); exponential backoff otherwise.
   * @default exponential backoff from 1 s
   */
  readonly retryDelayMs?: number;
  /**
   * The `registries.d` directory that says where signatures live (lookaside URLs, sigstore attachments):
   * skopeo's `--registries.d`.
   * @default `~/.config/containers/registries.d` when it exists, else `/etc/containers/registries.d`
   */
  readonly registriesDir?: string;
  /**
   * The `User-Agent` header.
   * @default `ferry/VERSION`
   */
  readonly userAgent?: string;
}
