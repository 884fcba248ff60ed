import type { Digest } from '@ferry/types';

/**
 * The platform of a list instance, as a Docker manifest list entry holds it (an OCI index entry holds the
 * same fields except `features`, which the OCI format reserves).
 */
export interface ListPlatform {
  /** Operating system, e.g. `linux`. */
  readonly os: string;
  /** CPU architecture in GOARCH form, e.g. `amd64`. */
  readonly architecture: string;
  /** CPU variant, e.g. `v7`; absent when the image names none. */
  readonly variant?: string;
  /** OS version (`os.version`), e.g. `10.0.17763.1879` for Windows images. */
  readonly osVersion?: string;
  /** Required OS features (`os.features`), e.g. `win32k`. */
  readonly osFeatures?: readonly string[];
  /** Required CPU features (Docker lists only), e.g. `sse4`. */
  readonly features?: readonly string[];
}

/** One instance (an entry) of a manifest list. */
export interface ListInstance {
  /** The digest of the instance's manifest. */
  readonly digest: Digest;
  /** The size in bytes of the instance's manifest. */
  readonly size: number;
  /** The media type of the instance's manifest. */
  readonly mediaType: string;
  /** Where the instance runs; absent for an artifact. */
  readonly platform?: ListPlatform;
  /** The entry's annotations (OCI indexes only); absent when there are none. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The artifact type of the instance (OCI indexes only). */
  readonly artifactType?: string;
  /** Alternate locations of the instance's manifest. */
  readonly urls?: readonly string[];
}

/** A list format: an OCI image index (`oci`) or a Docker manifest list (`v2s2`). */
export type ListFormat = 'oci' | 'v2s2';
