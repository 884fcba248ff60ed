/**
 * What every transport does to bytes: digests, verification, bounded reads, compression, atomic writes, and
 * the cross-process file lock.
 *
 * @packageDocumentation
 */
export { abortableSleep } from './abortable-sleep.ts';
export { codecFor, compressStream, decompressStream } from './compress-stream.ts';
export type { CompressionCodec, CompressOptions } from './compression-codec.ts';
export { COMPRESSION_MAGIC_LENGTH, detectCompression } from './detect-compression.ts';
export { digestBytes } from './digest-bytes.ts';
export { type BlobDigest, createDigester, type Digester } from './digester.ts';
export { explicitPath } from './explicit-path.ts';
export { acquireFileLock, type FileLock, type FileLockOptions } from './file-lock.ts';
export { gzipCodec } from './gzip-codec.ts';
export { type PeekedStream, peekCompression } from './peek-compression.ts';
export { type PipeThroughOptions, pipeThrough } from './pipe-through.ts';
export { currentProcess, hostTag, isProcessGone, type ProcessIdentity } from './process-identity.ts';
export { MANIFEST_LIMIT, type ReadLimitedOptions, readLimited } from './read-limited.ts';
export { findLeftovers, isProcessAlive, type Leftover, siblingPath } from './sibling-paths.ts';
export { type VerifiedStream, type VerifyStreamOptions, verifyStream } from './verify-stream.ts';
export { type WriteFileAtomicOptions, writeBytesAtomic, writeFileAtomic } from './write-file-atomic.ts';
export { type WriteStreamToFileOptions, writeStreamToFile } from './write-stream-to-file.ts';
export { zstdCodec } from './zstd-codec.ts';
