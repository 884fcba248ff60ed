/**
 * The codes an {@link ImageError} carries. Match errors by code with {@link isImageError}, never by
 * message or `instanceof`. New codes may be added in minor releases.
 */
export type ImageErrorCode =
  /** A blob or manifest's bytes do not hash to the digest they were named by. */
  | 'ERR_DIGEST_MISMATCH'
  /** A stream was longer or shorter than its declared size. */
  | 'ERR_SIZE_MISMATCH'
  /** A document is larger than the limit for its kind (4 MiB for manifests and configs). */
  | 'ERR_TOO_LARGE'
  /** Text that should be a digest is not a valid `algorithm:hex` digest of a supported algorithm. */
  | 'ERR_INVALID_DIGEST'
  /** Text that should be an image reference does not follow the grammar. */
  | 'ERR_INVALID_REFERENCE'
  /** A `transport:reference` names a transport the registry does not know. */
  | 'ERR_UNKNOWN_TRANSPORT'
  /** A manifest, index or config is malformed or breaks its schema. */
  | 'ERR_INVALID_MANIFEST'
  /** A manifest's media type is not one Ferry knows, or not the one expected. */
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  /** A manifest cannot be converted to the requested format. */
  | 'ERR_MANIFEST_CONVERSION'
  /** A destination refused a manifest type; another type may still be accepted. */
  | 'ERR_MANIFEST_TYPE_REJECTED'
  /** No instance of a list matches the wanted platform. */
  | 'ERR_NO_MATCHING_PLATFORM'
  /** The image (its layout, archive or directory) is malformed. */
  | 'ERR_INVALID_IMAGE'
  /** The manifest does not exist at the source. */
  | 'ERR_MANIFEST_UNKNOWN'
  /** The blob does not exist at the source. */
  | 'ERR_BLOB_UNKNOWN'
  /** Compressed data is corrupt or truncated. */
  | 'ERR_CORRUPT_COMPRESSED_DATA'
  /** A compression format was detected that Ferry can name but not (de)compress. */
  | 'ERR_UNSUPPORTED_COMPRESSION'
  /** The server wants credentials, or refused the ones given. */
  | 'ERR_UNAUTHORIZED'
  /** The credentials are valid but do not allow the operation. */
  | 'ERR_DENIED'
  /** Writing would replace something that must not be replaced (a reference with another target). */
  | 'ERR_CLOBBER'
  /** A named manifest list is not in the store. */
  | 'ERR_LIST_UNKNOWN'
  /** A signature policy (`policy.json`) or signature-storage configuration (`registries.d`) is malformed. */
  | 'ERR_INVALID_POLICY'
  /** The signature policy does not accept the image. */
  | 'ERR_POLICY_REJECTED'
  /** A signature is malformed, or does not verify. */
  | 'ERR_SIGNATURE_INVALID'
  /** The operation is not supported by this transport or implementation. */
  | 'ERR_NOT_IMPLEMENTED'
  /** An argument or option has an invalid value. */
  | 'ERR_INVALID_ARGUMENT'
  /** A file-system or network operation failed; `cause` holds the system error. */
  | 'ERR_IO';

/** Options of the {@link ImageError} constructor. */
export interface ImageErrorOptions {
  /** The error being wrapped. Set it whenever one exists. */
  readonly cause?: unknown;
  /**
   * Whether the same operation may succeed when tried again from the start: a dropped connection, a server
   * error, an upload session the server lost. Callers such as `copyImage` retry a blob for such errors.
   * @default false
   */
  readonly transient?: boolean;
}

const BRAND = Symbol.for('ferry.ImageError');

/**
 * The one error class Ferry throws. `code` says what went wrong; `message` names the reference, digest or
 * field involved and never contains credentials; `cause` holds the wrapped error.
 *
 * @example
 * ```ts
 * throw new ImageError('ERR_BLOB_UNKNOWN', `blob ${digest} not in ${name}`, { cause });
 * ```
 */
export class ImageError extends Error {
  /** What went wrong, as a stable string. */
  readonly code: ImageErrorCode;
  /** Whether trying the operation again from the start may succeed (see {@link ImageErrorOptions.transient}). */
  readonly transient: boolean;
  constructor(code: ImageErrorCode, message: string, options?: ImageErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.transient = options?.transient === true;
    this.name = 'ImageError';
    // the brand lets isImageError recognise errors made by another installed copy of this package
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Tells whether `error` is an {@link ImageError}, optionally with the given code. It works across two
 * installed copies of `@ferry/types`, because it checks a `Symbol.for` brand rather than the class.
 *
 * @example
 * ```ts
 * if (isImageError(e, 'ERR_BLOB_UNKNOWN')) return undefined;
 * ```
 */
/**
 * Tells whether `error` is an {@link ImageError} marked transient, or wraps one in its `cause` chain: the
 * operation that failed may succeed when tried again from the start.
 * @example
 * ```ts
 * if (isTransientError(e) && attempt < retries) continue;
 * ```
 */
export function isTransientError(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 16; depth++) {
    if (isImageError(e) && (e as { transient?: unknown }).transient === true) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function isImageError(error: unknown, code?: ImageErrorCode): error is ImageError {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as { [BRAND]?: unknown })[BRAND] !== true) return false;
  return code === undefined || (error as { code?: unknown }).code === code;
}
