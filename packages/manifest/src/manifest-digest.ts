import { digestBytes } from '@ferry/blob';
import { type Digest, type DigestAlgorithm, digestAlgorithm } from '@ferry/types';
import { guessMediaType } from './guess-media-type.ts';
import { DOCKER_V2S1_SIGNED_MEDIA_TYPE } from './media-types.ts';
import { parseJsonObject } from './parse-json.ts';
import { schema1SignedPayload } from './schema1-payload.ts';

/**
 * Computes a manifest's digest as containers/image's `manifest.Digest` does: the digest of the bytes, except for
 * a signed schema 1 manifest, whose JWS signatures are stripped first (the digest covers the signed payload).
 *
 * @throws {@link ImageError} `ERR_INVALID_MANIFEST` when a signed schema 1 manifest's signatures are malformed;
 * `ERR_TOO_LARGE` when such a manifest is over 4 MiB.
 * @example
 * ```ts
 * const digest = manifestDigest(bytes); // 'sha256:…'
 * ```
 */
export function manifestDigest(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): Digest {
  return digestBytes(digestedPayload(bytes), algorithm);
}

/**
 * Tells whether a manifest's bytes match `expected`, computing the digest with `expected`'s algorithm and
 * stripping schema 1 signatures as {@link manifestDigest} does.
 *
 * @throws {@link ImageError} as {@link manifestDigest} does.
 * @example
 * ```ts
 * if (!matchesDigest(bytes, wanted)) throw new ImageError('ERR_DIGEST_MISMATCH', `manifest is not ${wanted}`);
 * ```
 */
export function matchesDigest(bytes: Uint8Array, expected: Digest): boolean {
  return manifestDigest(bytes, digestAlgorithm(expected)) === expected;
}

/** The bytes a manifest's digest is computed over. */
export function digestedPayload(bytes: Uint8Array): Uint8Array {
  if (guessMediaType(bytes) !== DOCKER_V2S1_SIGNED_MEDIA_TYPE) return bytes;
  return schema1SignedPayload(bytes, parseJsonObject(bytes, 'manifest'));
}
