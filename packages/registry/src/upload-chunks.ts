import type { Digester } from '@ferry/blob';
import type { CallOptions } from '@ferry/types';

/** A run of consecutive blob bytes, kept as the source's own pieces (never copied). */
export interface UploadChunk {
  /** Offset of the first byte in the blob. */
  readonly start: number;
  readonly length: number;
  readonly pieces: readonly Uint8Array[];
  /** Whether the blob ends with this chunk. */
  readonly last: boolean;
}

/**
 * Cuts a stream into chunks of about `size` bytes (a piece is split when it crosses the boundary), hashing
 * every byte once as it passes.
 */
export class ChunkReader {
  readonly #iterator: AsyncIterator<Uint8Array>;
  readonly #digester: Digester | undefined;
  readonly #size: number;
  #carry: Uint8Array | undefined;
  #offset = 0;
  #done = false;

  /** Bytes read so far. */
  get size(): number {
    return this.#offset;
  }

  /** `digester` (when given) hashes every byte as it passes. */
  constructor(stream: AsyncIterable<Uint8Array>, digester: Digester | undefined, size: number) {
    this.#iterator = stream[Symbol.asyncIterator]();
    this.#digester = digester;
    this.#size = size;
  }

  /** Reads the next chunk; after the last one, returns empty last chunks. */
  async next(options: CallOptions = {}): Promise<UploadChunk> {
    const pieces: Uint8Array[] = [];
    let length = 0;
    const start = this.#offset;
    while (length < this.#size) {
      let piece = this.#carry;
      this.#carry = undefined;
      if (piece === undefined) {
        if (this.#done) break;
        options.signal?.throwIfAborted();
        const step = await this.#iterator.next();
        if (step.done === true) {
          this.#done = true;
          break;
        }
        piece = step.value;
        this.#digester?.update(piece);
      }
      const room = this.#size - length;
      if (piece.byteLength > room) {
        this.#carry = piece.subarray(room);
        piece = piece.subarray(0, room);
      }
      if (piece.byteLength > 0) pieces.push(piece);
      length += piece.byteLength;
    }
    this.#offset += length;
    // a full chunk may be the last one: look ahead so the final chunk can go with the closing PUT
    if (!this.#done && this.#carry === undefined) {
      const step = await this.#iterator.next();
      if (step.done === true) this.#done = true;
      else {
        this.#carry = step.value;
        this.#digester?.update(step.value);
      }
    }
    return { start, length, pieces, last: this.#done && this.#carry === undefined };
  }

  /** Closes the source stream early; never throws. */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#iterator.return?.().catch(() => undefined);
  }
}

/** The bytes of a chunk from blob offset `from` on, as a body for undici. */
export function chunkBody(chunk: UploadChunk, from: number): AsyncIterable<Uint8Array> {
  let skip = from - chunk.start;
  const parts: Uint8Array[] = [];
  for (const piece of chunk.pieces) {
    if (skip >= piece.byteLength) {
      skip -= piece.byteLength;
      continue;
    }
    parts.push(skip > 0 ? piece.subarray(skip) : piece);
    skip = 0;
  }
  return (async function* () {
    yield* parts;
  })();
}
