/**
 * The public contracts of Ferry. Third-party transports implement these interfaces.
 *
 * @packageDocumentation
 */
export {
  type BlobInfo,
  type ByteStream,
  type CompressionAlgorithm,
  MANIFEST_LIMIT,
  type ManifestBlob,
  type PutBlobInfo,
  type ReusedBlob,
  type StoredBlob,
  type TypedManifestBlob,
} from './blob-info.ts';
export {
  DIGEST_HEX_LENGTHS,
  type Digest,
  type DigestAlgorithm,
  digestAlgorithm,
  digestHex,
  isDigest,
  parseDigest,
} from './digest.ts';
export { ImageError, type ImageErrorCode, type ImageErrorOptions, isImageError, isTransientError } from './errors.ts';
export type { NamedReference } from './named-reference.ts';
export type { CallOptions, Platform, RegistryCredentials, RegistryOptions, SystemOptions } from './options.ts';
export type { PolicyContext, UnverifiedImage } from './policy-context.ts';
export type { ProgressEvent, ProgressListener } from './progress.ts';
export type { Signature, SigstoreSignature, SimpleSigningSignature } from './signature.ts';
export { decodeSignature, encodeSignature } from './signature-blob.ts';
export type { ImageSigner, SigningInput } from './signer.ts';
export type {
  BlobStream,
  CommitOptions,
  DestinationTraits,
  ImageDestination,
  ImageReference,
  ImageSource,
  LayerCompressionWish,
  PutBlobOptions,
  PutManifestOptions,
  ReuseOptions,
  Transport,
} from './transport.ts';
export { createTransportRegistry, type TransportRegistry } from './transport-registry.ts';
