import type { Digest } from './digest.ts';
import type { NamedReference } from './named-reference.ts';
import type { CallOptions } from './options.ts';
import type { Signature } from './signature.ts';

/** What a signer signs: a manifest, its digest and the identity the signature claims. */
export interface SigningInput {
  /** The manifest bytes exactly as written to the destination. */
  readonly manifest: Uint8Array;
  /** The digest of `manifest` (for a schema 1 manifest, of its payload without the JWS signatures). */
  readonly manifestDigest: Digest;
  /** The identity to claim, normally the destination's Docker reference (`--sign-identity` overrides it). */
  readonly identity: NamedReference;
}

/**
 * Creates signatures while an image is copied: the counterpart of containers/image's `signer.Signer`.
 * `@ferry/signature` provides OpenPGP (key file or gpg) and sigstore signers; any object of this shape works.
 *
 * @example
 * ```ts
 * await copyImage(policy, dest, src, { signers: [await simpleSigner({ privateKey, passphrase })] });
 * ```
 */
export interface ImageSigner {
  /** The kind of signature `sign` returns, so that a destination that cannot store it is refused up front. */
  readonly kind: Signature['kind'];
  /** Signs one manifest. MUST throw an `ImageError` (never return a signature it did not make). */
  sign(input: SigningInput, options?: CallOptions): Promise<Signature>;
}
