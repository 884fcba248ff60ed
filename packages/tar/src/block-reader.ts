import type { FileHandle } from 'node:fs/promises';
import { ImageError } from '@ferry/types';

// Headers of small members lie close together, so one read serves many of them: the window doubles while
// reads stay sequential, and shrinks back after a jump over a large member.
const MIN_WINDOW = 64 * 1024;
const MAX_WINDOW = 1024 * 1024;

/** Positional reads of header-sized ranges of a file through one reusable window. */
export class BlockReader {
  readonly #handle: FileHandle;
  readonly #fileSize: number;
  readonly #label: string;
  readonly #window = Buffer.allocUnsafe(MAX_WINDOW);
  #size = MIN_WINDOW;
  #start = 0;
  #length = 0;

  constructor(handle: FileHandle, fileSize: number, label: string) {
    this.#handle = handle;
    this.#fileSize = fileSize;
    this.#label = label;
  }

  /**
   * The bytes `[offset, offset + length)`, which MUST lie within the file. The result is valid only until
   * the next call: it may alias the window.
   */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const cached = this.cached(offset, length);
    if (cached !== undefined) return cached;
    if (length > MAX_WINDOW) {
      const out = Buffer.allocUnsafe(length);
      await this.#fill(out, length, offset);
      return out;
    }
    const sequential = offset <= this.#start + this.#length + this.#size;
    this.#size = sequential ? Math.min(this.#size * 2, MAX_WINDOW) : MIN_WINDOW;
    const want = Math.min(Math.max(this.#size, length), this.#fileSize - offset);
    this.#length = 0;
    await this.#fill(this.#window, want, offset);
    this.#start = offset;
    this.#length = want;
    return this.#window.subarray(0, length);
  }

  /** The bytes `[offset, offset + length)` if the window holds them (no await: most headers of small members). */
  cached(offset: number, length: number): Uint8Array | undefined {
    if (offset < this.#start || offset + length > this.#start + this.#length) return undefined;
    return this.#window.subarray(offset - this.#start, offset - this.#start + length);
  }

  async #fill(target: Buffer, length: number, position: number): Promise<void> {
    let filled = 0;
    while (filled < length) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.#handle.read(target, filled, length - filled, position + filled));
      } catch (cause) {
        throw new ImageError('ERR_IO', `reading ${this.#label} at offset ${position + filled}`, { cause });
      }
      if (bytesRead === 0) {
        throw new ImageError('ERR_INVALID_IMAGE', `${this.#label} is cut short at offset ${position + filled}`);
      }
      filled += bytesRead;
    }
  }
}
