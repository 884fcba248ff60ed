import { ImageError } from './errors.ts';

declare const DIGEST: unique symbol;

/**
 * A validated content digest such as `sha256:` followed by 64 lowercase hex digits. Obtain one only from
 * {@link parseDigest} (or a function that computes one); inner code never re-validates it.
 */
export type Digest = string & { readonly [DIGEST]: true };

/** The digest algorithms Ferry computes and accepts. */
export type DigestAlgorithm = 'sha256' | 'sha512';

/** Length of the hex part, per algorithm. */
export const DIGEST_HEX_LENGTHS: Readonly<Record<DigestAlgorithm, number>> = Object.freeze({
  sha256: 64,
  sha512: 128,
});

// The OCI image spec's grammar: algorithm-component ([+._-] algorithm-component)* ":" encoded
const GRAMMAR = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

/**
 * Parses and validates a digest. Only `sha256` and `sha512` with lowercase hex of the right length are
 * accepted, as containers/image does.
 *
 * @throws {@link ImageError} `ERR_INVALID_DIGEST` naming what is wrong.
 * @example
 * ```ts
 * const d = parseDigest('sha256:' + 'a'.repeat(64));
 * ```
 */
export function parseDigest(text: string): Digest {
  const match = GRAMMAR.exec(text);
  if (match === null)
    throw new ImageError('ERR_INVALID_DIGEST', `invalid digest ${JSON.stringify(clip(text))}: not algorithm:hex`);
  const algorithm = match[1] as string;
  const hex = match[2] as string;
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new ImageError(
      'ERR_INVALID_DIGEST',
      `invalid digest ${JSON.stringify(clip(text))}: unsupported algorithm ${JSON.stringify(algorithm)}`,
    );
  }
  const want = DIGEST_HEX_LENGTHS[algorithm];
  if (hex.length !== want || !/^[0-9a-f]+$/.test(hex)) {
    throw new ImageError(
      'ERR_INVALID_DIGEST',
      `invalid digest ${JSON.stringify(clip(text))}: ${algorithm} needs ${want} lowercase hex digits`,
    );
  }
  return text as Digest;
}

/** Tells whether `text` is a valid digest, without throwing. */
export function isDigest(text: unknown): text is Digest {
  if (typeof text !== 'string') return false;
  try {
    parseDigest(text);
    return true;
  } catch {
    return false;
  }
}

/** The algorithm part of a digest. */
export function digestAlgorithm(digest: Digest): DigestAlgorithm {
  return digest.slice(0, digest.indexOf(':')) as DigestAlgorithm;
}

/** The hex part of a digest. */
export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
