/**
 * Container image signatures: simple signing (OpenPGP), sigstore, and `policy.json` trust evaluation.
 *
 * @packageDocumentation
 */

// simple signing
export { type ExportGpgPublicKeysOptions, exportGpgPublicKeys } from './gpg-keys.ts';
export type { GpgOptions } from './gpg-process.ts';
export { type GpgSignerOptions, gpgSigner } from './gpg-signer.ts';
export { evaluateSignedBy } from './signed-by.ts';
export { encodeSimpleSigningPayload, parseSimpleSigningPayload, SIMPLE_SIGNING_TYPE } from './simple-payload.ts';
export { SIMPLE_SIGNING_CREATOR } from './simple-sign-input.ts';
export { type SimpleSignerOptions, simpleSigner } from './simple-signer.ts';
export {
  type OpenPgpKeyring,
  readOpenPgpKeyring,
  type SimpleSigningPayload,
  type VerifiedSimpleSigning,
  verifySimpleSigning,
} from './simple-verify.ts';
// end simple signing

// sigstore
export {
  COSIGN_PRIVATE_KEY_PEM_TYPE,
  decryptCosignPrivateKey,
  encryptCosignPrivateKey,
  SIGSTORE_PRIVATE_KEY_PEM_TYPE,
} from './cosign-private-key.ts';
export { type FulcioTrustRoot, parseFulcioCaCertificates, verifyFulcioCertificate } from './fulcio-cert.ts';
export { type RekorSetInput, verifyRekorSet } from './rekor-set.ts';
export {
  SIGSTORE_BUNDLE_ANNOTATION,
  SIGSTORE_CERTIFICATE_ANNOTATION,
  SIGSTORE_CHAIN_ANNOTATION,
  SIGSTORE_PAYLOAD_MEDIA_TYPE,
  SIGSTORE_SIGNATURE_ANNOTATION,
} from './sigstore-annotations.ts';
export {
  encodeSigstorePayload,
  parseSigstorePayload,
  SIGSTORE_SIGNATURE_TYPE,
  type SigstorePayload,
} from './sigstore-payload.ts';
export { evaluateSigstoreSigned } from './sigstore-signed.ts';
export { type SigstoreSignerOptions, sigstoreSigner } from './sigstore-signer.ts';
export { type SigstoreTrust, verifySigstoreSignature } from './sigstore-verify.ts';
// end sigstore

// policy
export { matchesSignedIdentity } from './identity-matchers.ts';
export { readKeySource } from './key-source.ts';
export { type LoadPolicyOptions, loadPolicy, SYSTEM_POLICY_PATH } from './load-policy.ts';
export { type ParsePolicyOptions, parsePolicy } from './parse-policy.ts';
export { createPolicyContext, type PolicyContextOptions, type RequirementEvaluators } from './policy-context.ts';
export type { PolicyImage } from './policy-image.ts';
export { requirementsFor, scopeProblem } from './policy-scopes.ts';
export type {
  FulcioTrust,
  KeySource,
  Policy,
  PolicyRequirement,
  SignedByRequirement,
  SignedIdentity,
  SigstoreSignedRequirement,
} from './policy-types.ts';
// end policy
