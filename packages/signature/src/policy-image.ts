import type { NamedReference, Signature } from '@ferry/types';

/**
 * What a policy requirement sees of an image. The policy context reads the manifest and the signatures once per
 * image and hands the same value to every requirement, so requirements never read the source themselves.
 *
 * @example
 * ```ts
 * const image: PolicyImage = {
 *   manifest, manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
 *   dockerReference: source.reference.dockerReference, signatures, description: 'docker://quay.io/app:v1',
 * };
 * await evaluateSignedBy(requirement, image, { signal });
 * ```
 */
export interface PolicyImage {
  /** The manifest bytes, already checked against the instance digest (or the reference's digest) when one is known. */
  readonly manifest: Uint8Array;
  /** The manifest's media type, as the source reported it. */
  readonly manifestMediaType: string;
  /** The source reference's Docker reference; `undefined` when the transport has none. */
  readonly dockerReference: NamedReference | undefined;
  /** The signatures stored with the image (unverified); `[]` when the source stores none. */
  readonly signatures: readonly Signature[];
  /** The image's name for messages, e.g. `docker://quay.io/app:v1`. */
  readonly description: string;
}
