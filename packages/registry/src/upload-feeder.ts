import type { Digester } from '@ferry/blob';
import type { CallOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';

/**
 * Reads a blob's stream for an upload and keeps the last `window` bytes it handed out, so that a request
 * cut in the middle can be sent again from any offset the server says it kept, as long as that offset is
 * still in the window. Every byte is hashed once, as it is first read (when a digester is given).
 */
export class UploadFeeder {
  readonly #iterator: AsyncIterator<Uint8Array>;
  readonly #digester: Digester | undefined;
  readonly #window: number;
  /** Pieces read and not yet dropped from the window, oldest first. */
  readonly #kept: Uint8Array[] = [];
  /** Blob offset of the first kept byte. */
  #keptStart = 0;
  /** Bytes read from the source so far. */
  #read = 0;
  /** The furthest offset handed out: only bytes older than it by more than the window are dropped. */
  #handedOut = 0;
  #done = false;
  #failure: unknown;

  constructor(stream: AsyncIterable<Uint8Array>, digester: Digester | undefined, window: number) {
    this.#iterator = stream[Symbol.asyncIterator]();
    this.#digester = digester;
    this.#window = window;
  }

  /** Bytes read from the source so far. */
  get size(): number {
    return this.#read;
  }

  /** Whether the source has ended and every byte was read. */
  get done(): boolean {
    return this.#done;
  }

  /** The error the source stream failed with, if it did (every later read throws it again). */
  get failure(): unknown {
    return this.#failure;
  }

  /** The first offset {@link bytesFrom} can still start at. */
  get oldestKept(): number {
    return this.#keptStart;
  }

  /** Reads ahead until at least `bytes` are read or the source ends (for a small-blob decision). */
  async fill(bytes: number, options: CallOptions = {}): Promise<void> {
    while (!this.#done && this.#read < bytes) await this.#pull(options);
  }

  /**
   * The blob's bytes from `from` (kept bytes first, then new ones from the source), up to `end` when given.
   * Abandoning the returned stream leaves the source open, so another one can go on.
   */
  async *bytesFrom(from: number, end: number | undefined, options: CallOptions = {}): AsyncGenerator<Uint8Array> {
    if (from < this.#keptStart) {
      throw new ImageError(
        'ERR_IO',
        `cannot send the upload again from byte ${from}: only bytes from ${this.#keptStart} are kept`,
        {
          transient: true,
        },
      );
    }
    let at = from;
    for (;;) {
      if (end !== undefined && at >= end) return;
      const piece = this.#pieceAt(at);
      if (piece === undefined) {
        if (this.#done) return;
        await this.#pull(options);
        continue;
      }
      const slice = end === undefined || at + piece.byteLength <= end ? piece : piece.subarray(0, end - at);
      at += slice.byteLength;
      if (at > this.#handedOut) this.#handedOut = at;
      this.#dropOld();
      yield slice;
    }
  }

  /** Closes the source early; never throws. */
  async close(): Promise<void> {
    this.#kept.length = 0;
    if (this.#done) return;
    this.#done = true;
    await this.#iterator.return?.().catch(() => undefined);
  }

  // the kept bytes starting at `at`, or undefined when `at` is past what was read
  #pieceAt(at: number): Uint8Array | undefined {
    let start = this.#keptStart;
    for (const piece of this.#kept) {
      if (at < start + piece.byteLength) return at > start ? piece.subarray(at - start) : piece;
      start += piece.byteLength;
    }
    return undefined;
  }

  async #pull(options: CallOptions): Promise<void> {
    options.signal?.throwIfAborted();
    // a stream that threw may answer "done" when asked again: its failure must not pass for an end
    if (this.#failure !== undefined) throw this.#failure;
    let step: IteratorResult<Uint8Array>;
    try {
      step = await this.#iterator.next();
    } catch (error) {
      this.#failure = error;
      this.#done = true;
      throw error;
    }
    if (step.done === true) {
      this.#done = true;
      return;
    }
    const piece = step.value;
    this.#digester?.update(piece);
    this.#read += piece.byteLength;
    this.#kept.push(piece);
  }

  // drops whole pieces that end more than the window before the furthest byte handed out (bytes read
  // ahead but not handed out yet are never dropped)
  #dropOld(): void {
    while (this.#kept.length > 1) {
      const first = this.#kept[0] as Uint8Array;
      if (this.#handedOut - (this.#keptStart + first.byteLength) < this.#window) break;
      this.#kept.shift();
      this.#keptStart += first.byteLength;
    }
  }
}
