import type { Digest } from './digest.ts';
import type { CallOptions } from './options.ts';
import type { ImageSource } from './transport.ts';

/** The image a policy decision is about: a source, and the list instance when one is being copied. */
export interface UnverifiedImage {
  /** The opened source. Its manifest and signatures are untrusted until the policy accepted them. */
  readonly source: ImageSource;
  /** The instance of the source's list, or `undefined` for the top-level manifest. */
  readonly instance?: Digest;
}

/**
 * Decides whether an image may be used, per a signature policy (`policy.json`). The copy pipeline calls it
 * for every image it copies, before it trusts anything else the source says.
 *
 * @example
 * ```ts
 * await policy.checkImageAllowed({ source }, { signal }); // throws ERR_POLICY_REJECTED with the reason
 * ```
 */
export interface PolicyContext {
  /**
   * Resolves when the policy accepts the image. MUST throw an `ImageError` with code
   * `ERR_POLICY_REJECTED` naming the reason when it does not; MUST NOT accept on an internal error.
   */
  checkImageAllowed(image: UnverifiedImage, options?: CallOptions): Promise<void>;
}
