/**
 * What every transport does to bytes: digests, verification, bounded reads, compression, atomic writes.
 *
 * @packageDocumentation
 */
export { digestBytes } from './digest-bytes.ts';
export { MANIFEST_LIMIT, type ReadLimitedOptions, readLimited } from './read-limited.ts';
