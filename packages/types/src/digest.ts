import { ImageError } from './errors.ts';

/**
 * A validated content digest such as `sha256:` followed by 64 lowercase hex digits. Obtain one only from
 * {@link parseDigest} (or a function that computes one); inner code never re-validates it.
 *
 * The brand is a string-keyed property (not a `unique symbol`) so that a `Digest` from one installed copy
 * of `@ferry/types` is assignable to another copy's `Digest`.
 */
export type Digest = string & { readonly __ferryBrand: 'Digest' };

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

/**
 * Tells whether `text` is a valid digest, without throwing.
 * @example
 * ```ts
 * if (isDigest(name)) return getBlob({ digest: name });
 * ```
 */
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

/**
 * The hex part of a digest, e.g. for a blob path `blobs/sha256/<hex>`.
 * @example
 * ```ts
 * join(layout, 'blobs', digestAlgorithm(d), digestHex(d));
 * ```
 */
export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
