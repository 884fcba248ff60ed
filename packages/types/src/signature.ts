/**
 * A signature of an image, as stored next to it. Signature contents are not verified by the transport that
 * reads them; the signature policy does that. New kinds may be added in minor releases: consumers MUST
 * tolerate (skip or refuse with an error) a kind they do not know.
 */
export type Signature = SimpleSigningSignature | SigstoreSignature;

/** A "simple signing" (atomic container) signature: an OpenPGP signed message carrying a JSON payload. */
export interface SimpleSigningSignature {
  /** Discriminant. */
  readonly kind: 'simple-signing';
  /** The OpenPGP message bytes. */
  readonly bytes: Uint8Array;
}

/** A sigstore (cosign) signature: a payload and the annotations of the layer that carries it. */
export interface SigstoreSignature {
  /** Discriminant. */
  readonly kind: 'sigstore';
  /** The payload's media type, normally `application/vnd.dev.cosign.simplesigning.v1+json`. */
  readonly mediaType: string;
  /** The payload bytes (unverified). */
  readonly payload: Uint8Array;
  /** Layer annotations: `dev.cosignproject.cosign/signature`, certificates, bundle. */
  readonly annotations: Readonly<Record<string, string>>;
}
