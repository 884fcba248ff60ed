// Names from containers/image's internal/signature/sigstore.go, which copies them from cosign.

/** The media type of a cosign "simple signing" payload; other sigstore attachments are skipped by the policy. */
export const SIGSTORE_PAYLOAD_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** Annotation holding the base64 signature over the payload bytes. */
export const SIGSTORE_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** Annotation holding the PEM signing certificate (Fulcio). */
export const SIGSTORE_CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
/** Annotation holding the PEM intermediate chain of the signing certificate, ending with its root. */
export const SIGSTORE_CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
/** Annotation holding the Rekor bundle (the signed entry timestamp and its payload). */
export const SIGSTORE_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
