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
}
