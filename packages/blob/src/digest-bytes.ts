import { createHash } from 'node:crypto';
import type { Digest, DigestAlgorithm } from '@ferry/types';

/**
 * Computes the digest of bytes held in memory (a manifest, a config). Blobs are never held in memory:
 * use {@link verifyStream} or {@link createDigester} for them.
 *
 * @example
 * ```ts
 * const digest = digestBytes(manifestBytes); // 'sha256:…'
 * ```
 */
export function digestBytes(bytes: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}` as Digest;
}
