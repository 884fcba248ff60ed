import { type FileHandle, open, rm } from 'node:fs/promises';
import { ImageError } from '@ferry/types';

/** Somewhere the bytes of one blob go, in order; `write` is called again only after the last call resolved. */
export interface BlobSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** A staging file written from offset 0, created on the first write (or by `close`). */
export class StagingFile implements BlobSink {
  readonly path: string;
  /** Bytes written so far. */
  size = 0;
  #handle: Promise<FileHandle> | undefined;
  #closed = false;

  constructor(path: string) {
    this.path = path;
  }

  async write(bytes: Uint8Array): Promise<void> {
    await writeAt(await this.#open(), bytes, this.size, this.path);
    this.size += bytes.byteLength;
  }

  /** Closes the file, creating it (empty) if nothing was written; later calls do nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await (await this.#open()).close();
  }

  /** Closes and removes the file; never throws. */
  async remove(): Promise<void> {
    if (!this.#closed) await this.#handle?.then((h) => h.close()).catch(() => undefined);
    this.#closed = true;
    await rm(this.path, { force: true }).catch(() => undefined);
  }

  #open(): Promise<FileHandle> {
    this.#handle ??= open(this.path, 'wx', 0o600).catch((cause: unknown) => {
      throw new ImageError('ERR_IO', `creating staging file ${this.path}`, { cause });
    });
    return this.#handle;
  }
}

/** Writes all of `bytes` at `position`. */
export async function writeAt(handle: FileHandle, bytes: Uint8Array, position: number, what: string): Promise<void> {
  let at = 0;
  while (at < bytes.byteLength) {
    try {
      at += (await handle.write(bytes, at, bytes.byteLength - at, position + at)).bytesWritten;
    } catch (cause) {
      throw new ImageError('ERR_IO', `writing ${what}`, { cause });
    }
  }
}
