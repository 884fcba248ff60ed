import { type FileHandle, open } from 'node:fs/promises';
import type { Digest, StoredBlob } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { type BlobSink, StagingFile, writeAt } from './staging-file.ts';
import { TAR_BLOCK, ustarFileHeader } from './ustar-file-header.ts';
import { layerMemberName, type StagedBlob } from './write-archive.ts';

// staged files are copied into the archive in blocks this large
const COPY_BLOCK = 1024 * 1024;
// after this many bytes written into the archive, a data sync starts in the background, so the disk writes
// the archive while layers are still being decompressed and the sync before the rename finds little left
const WRITEBACK_EVERY = 32 * 1024 * 1024;

/** A layer being received: into its staging file, or (once it owns the archive's tail) into the archive. */
interface LayerState {
  mode: 'staging' | 'granted' | 'direct' | 'done';
  readonly staging: StagingFile;
  /** Where its header goes in the archive, once it was granted the tail. */
  start: number;
  /** Bytes written into the archive after the header. */
  written: number;
}

/** A layer received into the archive assembly; see {@link ArchiveAssembler.newLayer}. */
export interface AssembledLayer extends BlobSink {
  /** Ends the layer: where its bytes are, or `undefined` when a layer with this digest is there already. */
  complete(stored: StoredBlob): Promise<StagedBlob | undefined>;
  /** Drops everything written for the layer; never throws. */
  fail(): Promise<void>;
}

/**
 * Builds a `docker save` archive while layers arrive, so that a layer is written once rather than staged and
 * copied at commit. One layer at a time owns the archive's tail and streams straight into it; the others are
 * staged, and move to the tail when it is free: completed ones are appended whole, in completion order (tar
 * member order does not matter), and one still arriving copies what it staged and then continues straight
 * into the archive. A layer that fails, or duplicates one already there, is cut off the tail again.
 * Configs, legacy files and `manifest.json` are appended at commit.
 */
export class ArchiveAssembler {
  /** The archive file being built. */
  readonly path: string;
  readonly #waiting: LayerState[] = [];
  readonly #completed: { state: LayerState; stored: StoredBlob }[] = [];
  readonly #names = new Set<string>();
  readonly #digests = new Set<Digest>();
  #handle: Promise<FileHandle> | undefined;
  #end = 0;
  #owner: LayerState | 'append' | undefined;
  #appending: Promise<void> = Promise.resolve();
  #failure: unknown;
  #unsynced = 0;
  #writeback: Promise<void> | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** Starts receiving a layer; `stagingPath` is where it is staged while it does not own the tail. */
  newLayer(stagingPath: string): AssembledLayer {
    const state: LayerState = { mode: 'staging', staging: new StagingFile(stagingPath), start: 0, written: 0 };
    if (this.#owner === undefined && this.#completed.length === 0) this.#grant(state, true);
    else this.#waiting.push(state);
    return {
      write: (bytes) => this.#write(state, bytes),
      complete: (stored) => this.#complete(state, stored),
      fail: () => this.#fail(state),
    };
  }

  /**
   * Waits for the appends still running and returns the members the archive holds. Every layer must have
   * completed or failed by then.
   * @throws {@link ImageError} `ERR_IO` when an append failed.
   */
  async finish(): Promise<readonly string[]> {
    for (;;) {
      await this.#appending;
      if (this.#owner === undefined && this.#completed.length === 0) break;
      if (this.#owner !== 'append') throw new ImageError('ERR_INVALID_ARGUMENT', 'a layer is still being written');
    }
    if (this.#failure !== undefined) throw this.#failure;
    await this.#writeback;
    await (await this.#file()).close();
    this.#handle = Promise.reject(new ImageError('ERR_INVALID_ARGUMENT', 'the archive assembly is finished'));
    this.#handle.catch(() => undefined);
    return [...this.#names];
  }

  /** Closes the archive file without finishing it (the caller removes it); never throws. */
  async abandon(): Promise<void> {
    await this.#handle?.then((h) => h.close()).catch(() => undefined);
  }

  async #write(state: LayerState, bytes: Uint8Array): Promise<void> {
    if (state.mode === 'granted') await this.#catchUp(state);
    if (state.mode === 'direct') {
      await this.#writeArchive(await this.#file(), bytes, state.start + TAR_BLOCK + state.written);
      state.written += bytes.byteLength;
    } else {
      await state.staging.write(bytes);
    }
  }

  async #complete(state: LayerState, stored: StoredBlob): Promise<StagedBlob | undefined> {
    if (this.#digests.has(stored.digest)) {
      await this.#fail(state);
      return undefined;
    }
    this.#digests.add(stored.digest);
    if (state.mode === 'granted') await this.#catchUp(state);
    if (state.mode === 'direct') {
      const blob = await this.#seal(state, stored);
      this.#release();
      return blob;
    }
    // out of the queue before the next await, so the tail is not granted to it meanwhile
    const waiting = this.#waiting.indexOf(state);
    if (waiting >= 0) this.#waiting.splice(waiting, 1);
    await state.staging.close();
    this.#completed.push({ state, stored });
    this.#pump();
    // the staged copy serves reads (a config put as a layer); it is removed with the staging directory
    return { path: state.staging.path, dataOffset: 0, ...stored };
  }

  async #fail(state: LayerState): Promise<void> {
    const waiting = this.#waiting.indexOf(state);
    if (waiting >= 0) this.#waiting.splice(waiting, 1);
    const owned = this.#owner === state;
    state.mode = 'done';
    await state.staging.remove();
    if (!owned) return;
    await (await this.#file()).truncate(state.start).catch(() => undefined);
    this.#release();
  }

  // A layer granted the tail may have a staging write in flight: it switches at its next write (or at
  // completion), after copying what it staged. A new layer that finds the tail free writes straight into it.
  #grant(state: LayerState, fresh = false): void {
    this.#owner = state;
    state.start = this.#end;
    state.mode = fresh ? 'direct' : 'granted';
  }

  #release(): void {
    this.#owner = undefined;
    this.#pump();
  }

  // hands the free tail to a completed staged layer (appended whole), else to one still arriving
  #pump(): void {
    if (this.#owner !== undefined) return;
    const next = this.#completed.shift();
    if (next !== undefined) {
      this.#owner = 'append';
      next.state.start = this.#end;
      this.#appending = this.#appending.then(async () => {
        try {
          await this.#catchUp(next.state);
          await this.#seal(next.state, next.stored);
        } catch (error) {
          this.#failure ??= error;
          await (await this.#file()).truncate(next.state.start).catch(() => undefined);
        }
        this.#release();
      });
      return;
    }
    const waiting = this.#waiting.shift();
    if (waiting !== undefined) this.#grant(waiting);
  }

  // copies what a layer staged into the archive, after the room for its header
  async #catchUp(state: LayerState): Promise<void> {
    if (state.staging.size === 0) {
      state.mode = 'direct';
      return;
    }
    await state.staging.close();
    const file = await this.#file();
    const source = await open(state.staging.path, 'r').catch((cause: unknown) => {
      throw new ImageError('ERR_IO', `opening staging file ${state.staging.path}`, { cause });
    });
    try {
      const buffer = Buffer.allocUnsafe(Math.min(COPY_BLOCK, Math.max(state.staging.size, 1)));
      while (state.written < state.staging.size) {
        const { bytesRead } = await source.read(buffer, 0, buffer.byteLength, state.written);
        if (bytesRead === 0) throw new ImageError('ERR_IO', `staging file ${state.staging.path} shrank`);
        await this.#writeArchive(file, buffer.subarray(0, bytesRead), state.start + TAR_BLOCK + state.written);
        state.written += bytesRead;
      }
    } finally {
      await source.close();
    }
    state.mode = 'direct';
  }

  // writes the header and padding around a layer's bytes in the archive, and moves the tail past it
  async #seal(state: LayerState, stored: StoredBlob): Promise<StagedBlob> {
    const file = await this.#file();
    const name = layerMemberName(stored.digest);
    await writeAt(file, ustarFileHeader(name, stored.size), state.start, this.path);
    const dataStart = state.start + TAR_BLOCK;
    const padded = Math.ceil(stored.size / TAR_BLOCK) * TAR_BLOCK;
    if (padded > stored.size)
      await writeAt(file, new Uint8Array(padded - stored.size), dataStart + stored.size, this.path);
    this.#end = dataStart + padded;
    this.#names.add(name);
    state.mode = 'done';
    return { path: this.path, dataOffset: dataStart, ...stored };
  }

  // Writes layer bytes into the archive and, every WRITEBACK_EVERY bytes, starts a background data sync
  // (one at a time). Its outcome does not matter: the archive is synced again, and checked, before the rename.
  async #writeArchive(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
    await writeAt(file, bytes, position, this.path);
    this.#unsynced += bytes.byteLength;
    if (this.#unsynced < WRITEBACK_EVERY || this.#writeback !== undefined) return;
    this.#unsynced = 0;
    this.#writeback = file
      .datasync()
      .catch(() => undefined)
      .finally(() => {
        this.#writeback = undefined;
      });
  }

  #file(): Promise<FileHandle> {
    this.#handle ??= open(this.path, 'wx+', 0o644).catch((cause: unknown) => {
      throw new ImageError('ERR_IO', `creating ${this.path}`, { cause });
    });
    return this.#handle;
  }
}
