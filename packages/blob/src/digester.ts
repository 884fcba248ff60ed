import { createHash } from 'node:crypto';
import type { Digest, DigestAlgorithm, StoredBlob } from '@ferry/types';
import { ImageError } from '@ferry/types';

/** The digest and size of a stream of bytes, known once it has been read to the end. */
export type BlobDigest = StoredBlob;

/**
 * An incremental hasher that also counts bytes, for callers that hash while they write (e.g. a destination
 * that tees a stream to disk). Made by {@link createDigester}.
 */
export interface Digester {
  /** The algorithm in use. */
  readonly algorithm: DigestAlgorithm;
  /** Bytes hashed so far. */
  readonly size: number;
  /** Hashes more bytes. The chunk is neither copied nor kept. */
  update(chunk: Uint8Array): void;
  /** Ends hashing and returns the digest and size. May be called once; later calls (and updates) throw `ERR_INVALID_ARGUMENT`. */
  finish(): BlobDigest;
}

class HashDigester implements Digester {
  readonly algorithm: DigestAlgorithm;
  size = 0;
  readonly #hash;
  #finished = false;
  constructor(algorithm: DigestAlgorithm) {
    this.algorithm = algorithm;
    this.#hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    if (this.#finished) throw finishedError();
    this.#hash.update(chunk);
    this.size += chunk.byteLength;
  }
  finish(): BlobDigest {
    if (this.#finished) throw finishedError();
    this.#finished = true;
    return { digest: `${this.algorithm}:${this.#hash.digest('hex')}` as Digest, size: this.size };
  }
}

function finishedError(): ImageError {
  return new ImageError('ERR_INVALID_ARGUMENT', 'the digester was already finished');
}

/**
 * Creates a {@link Digester} for `algorithm` (node:crypto underneath).
 *
 * @example
 * ```ts
 * const d = createDigester('sha256');
 * for await (const chunk of stream) { d.update(chunk); await file.write(chunk); }
 * const { digest, size } = d.finish();
 * ```
 */
export function createDigester(algorithm: DigestAlgorithm = 'sha256'): Digester {
  return new HashDigester(algorithm);
}
