import type { ByteStream, CallOptions, Digest, DigestAlgorithm } from '@ferry/types';
import { digestAlgorithm, ImageError } from '@ferry/types';
import { type BlobDigest, createDigester, type Digester } from './digester.ts';

/** What a {@link verifyStream} checks. Leave both out to only compute the digest and size. */
export interface VerifyStreamOptions extends CallOptions {
  /** The digest the bytes MUST hash to. Its algorithm picks the hash. */
  readonly digest?: Digest;
  /** The number of bytes the stream MUST hold. */
  readonly size?: number;
  /** The algorithm to hash with when no `digest` is given. @default 'sha256' */
  readonly algorithm?: DigestAlgorithm;
  /** What is being read, for error messages, e.g. `blob sha256:… of docker.io/library/alpine`. @default 'blob' */
  readonly what?: string;
}

/**
 * A stream that passes bytes through unchanged while hashing and counting them. It may be iterated once.
 * Iterating it to the end throws if a check failed; `result` is set only once the end was reached and
 * every check passed.
 */
export interface VerifiedStream extends AsyncIterable<Uint8Array> {
  /** The digest and size of what went through, once the stream was read to the end; `undefined` before. */
  readonly result: BlobDigest | undefined;
}

class VerifyingStream implements VerifiedStream {
  result: BlobDigest | undefined = undefined;
  readonly #source: ByteStream;
  readonly #options: VerifyStreamOptions;
  #started = false;
  constructor(source: ByteStream, options: VerifyStreamOptions) {
    this.#source = source;
    this.#options = options;
  }
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#started) throw new ImageError('ERR_INVALID_ARGUMENT', 'a verified stream can be iterated only once');
    this.#started = true;
    return new VerifyingIterator(this.#source[Symbol.asyncIterator](), this.#options, (r) => {
      this.result = r;
    });
  }
}

// A hand-written iterator rather than an async generator: it holds the source's iterator from the start,
// so return() closes the source even when called before the first next().
class VerifyingIterator implements AsyncIterator<Uint8Array> {
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #options: VerifyStreamOptions;
  readonly #digester: Digester;
  readonly #limit: number;
  readonly #onResult: (result: BlobDigest) => void;
  #done = false;
  constructor(source: AsyncIterator<Uint8Array>, options: VerifyStreamOptions, onResult: (r: BlobDigest) => void) {
    this.#source = source;
    this.#options = options;
    this.#onResult = onResult;
    const { digest, algorithm } = options;
    this.#digester = createDigester(digest === undefined ? (algorithm ?? 'sha256') : digestAlgorithm(digest));
    this.#limit = options.size ?? Number.POSITIVE_INFINITY;
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (this.#done) return { done: true, value: undefined };
    try {
      this.#options.signal?.throwIfAborted();
      const step = await this.#source.next();
      this.#options.signal?.throwIfAborted();
      if (step.done === true) {
        this.#done = true;
        this.#onResult(this.#check());
        return { done: true, value: undefined };
      }
      const chunk = step.value;
      this.#digester.update(chunk);
      // checked per chunk, so an oversized stream fails as soon as the excess arrives
      if (this.#digester.size > this.#limit) {
        throw new ImageError('ERR_SIZE_MISMATCH', `${this.#what}: more than the expected ${this.#limit} bytes`);
      }
      return { done: false, value: chunk };
    } catch (error) {
      // the first error is the one to report, not a failure to close after it
      await this.#close().catch(() => undefined);
      throw error;
    }
  }

  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    await this.#close();
    return { done: true, value: undefined };
  }

  get #what(): string {
    return this.#options.what ?? 'blob';
  }

  #check(): BlobDigest {
    const result = this.#digester.finish();
    const { digest, size } = this.#options;
    if (size !== undefined && result.size !== size) {
      throw new ImageError('ERR_SIZE_MISMATCH', `${this.#what}: got ${result.size} bytes, expected ${size}`);
    }
    if (digest !== undefined && result.digest !== digest) {
      throw new ImageError(
        'ERR_DIGEST_MISMATCH',
        `${this.#what}: digest mismatch, expected ${digest}, got ${result.digest}`,
      );
    }
    return result;
  }

  async #close(): Promise<void> {
    // a source that ended by itself needs no return(); one left early does
    if (this.#done) return;
    this.#done = true;
    await this.#source.return?.();
  }
}

/**
 * Wraps a stream so its bytes pass through unchanged (no copies) while they are hashed and counted.
 *
 * - More bytes than `size` fail with `ERR_SIZE_MISMATCH` as soon as they arrive.
 * - At the end, fewer bytes than `size` fail with `ERR_SIZE_MISMATCH`, and a digest other than `digest`
 *   with `ERR_DIGEST_MISMATCH` (the message names both digests).
 * - On any early exit (a failed check, the consumer breaking off, an abort) the source's iterator is
 *   closed with `return()`.
 * - An abort of `signal` surfaces as `signal.reason`, checked before each chunk is passed on.
 *
 * @example
 * ```ts
 * const verified = verifyStream(stream, { digest: info.digest, size: info.size, signal });
 * for await (const chunk of verified) await file.write(chunk);
 * console.log(verified.result); // { digest: 'sha256:…', size: 1234 }
 * ```
 */
export function verifyStream(source: ByteStream, options: VerifyStreamOptions = {}): VerifiedStream {
  const { size } = options;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `expected size ${size} is not a non-negative integer`);
  }
  return new VerifyingStream(source, options);
}
