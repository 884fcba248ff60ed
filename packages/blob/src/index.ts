/**
 * What every transport does to bytes: digests, verification, bounded reads, compression, atomic writes.
 *
 * @packageDocumentation
 */
export { digestBytes } from './digest-bytes.ts';
export { type BlobDigest, createDigester, type Digester } from './digester.ts';
export { MANIFEST_LIMIT, type ReadLimitedOptions, readLimited } from './read-limited.ts';
export { type VerifiedStream, type VerifyStreamOptions, verifyStream } from './verify-stream.ts';
