import { open, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { writeBytesAtomic } from '@ferry/blob';
import { type ByteStream, type CallOptions, type Digest, ImageError } from '@ferry/types';
import { fileStream } from './file-stream.ts';
import { asLayoutError, errnoOf } from './fs-error.ts';
import { sameTarget, withEntry, withoutName } from './index-entries.ts';
import { acquireIndexLock } from './index-lock.ts';
import { checkLayoutVersion, createLayoutFiles, readLayoutIndex } from './layout-files.ts';
import { checkDescriptor, type IndexEntry, type LayoutIndex, refNameOf, serializeLayoutIndex } from './layout-index.ts';
import { blobFilePath, INDEX_FILE, REF_NAME_ANNOTATION } from './layout-paths.ts';
import type {
  GcOptions,
  GcResult,
  IndexMutator,
  LayoutBlobStream,
  LayoutGetBlobOptions,
  LayoutPutBlobOptions,
  OciLayout,
  OpenLayoutOptions,
  PutReferenceOptions,
} from './oci-layout-types.ts';
import { type PublishedBlob, publishBlob } from './publish-blob.ts';
import { listBlobDigests, sweepBlobs } from './sweep-blobs.ts';
import { cleanStaleTemps, createWorkDir, tempFileIn, type WorkDir } from './work-dir.ts';

/**
 * Opens the OCI image layout at `path` (creating it with `create`), after checking `oci-layout` (version
 * 1.0.0) and `index.json`.
 *
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` naming what is wrong with the layout; `ERR_IO`.
 * @example
 * ```ts
 * await using layout = await openLayout('/srv/images', { create: true });
 * const { digest, size } = await layout.putBlob(stream);
 * await layout.putReference('v1', { mediaType, digest, size });
 * ```
 */
export async function openLayout(path: string, options: OpenLayoutOptions = {}): Promise<OciLayout> {
  const { signal } = options;
  signal?.throwIfAborted();
  if (options.create === true) await createLayoutFiles(path, signal);
  await checkLayoutVersion(path, signal);
  await readLayoutIndex(path, signal);
  return new Layout(path, options.lockTimeoutMs ?? 60_000);
}

class Layout implements OciLayout {
  readonly path: string;
  readonly #lockTimeoutMs: number;
  #workDir: Promise<WorkDir> | undefined;
  #closed = false;

  constructor(path: string, lockTimeoutMs: number) {
    this.path = path;
    this.#lockTimeoutMs = lockTimeoutMs;
  }

  /** This handle's temp area, registered under the lock so that cleanups of other writers can see it. */
  private workDir(options: CallOptions = {}): Promise<WorkDir> {
    if (this.#closed) throw new ImageError('ERR_INVALID_ARGUMENT', `the layout ${this.path} is closed`);
    this.#workDir ??= this.withLock(() => createWorkDir(this.path), options);
    const made = this.#workDir;
    made.catch(() => {
      if (this.#workDir === made) this.#workDir = undefined;
    });
    return made;
  }

  async putBlob(stream: ByteStream, options: LayoutPutBlobOptions = {}): Promise<PublishedBlob> {
    let dir: WorkDir;
    try {
      dir = await this.workDir(options);
    } catch (error) {
      await stream[Symbol.asyncIterator]()
        .return?.()
        ?.catch(() => undefined);
      throw error;
    }
    return publishBlob(this.path, tempFileIn(dir, 'blob'), stream, options);
  }

  async getBlob(digest: Digest, options: LayoutGetBlobOptions = {}): Promise<LayoutBlobStream> {
    const { signal } = options;
    const path = this.blobPath(digest);
    try {
      signal?.throwIfAborted();
      const handle = await open(path, 'r');
      let size: number;
      try {
        size = (await handle.stat()).size;
      } catch (error) {
        await handle.close();
        throw error;
      }
      const what = `blob ${digest} in ${this.path}`;
      const range = {
        ...(options.offset !== undefined && { start: options.offset }),
        ...(options.length !== undefined && { length: options.length }),
      };
      return { stream: fileStream(handle, { ...range, what, ...(signal && { signal }) }), size };
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') {
        throw new ImageError('ERR_BLOB_UNKNOWN', `blob ${digest} not in the OCI layout ${this.path}`, { cause: error });
      }
      throw asLayoutError(error, `opening blob ${digest} in ${this.path}`, signal);
    }
  }

  async statBlob(digest: Digest, options: CallOptions = {}): Promise<number | undefined> {
    options.signal?.throwIfAborted();
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return undefined;
      throw asLayoutError(error, `checking blob ${digest} in ${this.path}`, options.signal);
    }
  }

  async blobExists(digest: Digest, options: CallOptions = {}): Promise<boolean> {
    return (await this.statBlob(digest, options)) !== undefined;
  }

  async claimBlob(digest: Digest, options: CallOptions = {}): Promise<number | undefined> {
    await this.workDir(options);
    const now = new Date();
    try {
      await utimes(this.blobPath(digest), now, now);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return undefined;
      // a read-only layout cannot be touched; the blob is still there to reuse
    }
    return this.statBlob(digest, options);
  }

  async deleteBlob(digest: Digest, options: CallOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    await rm(this.blobPath(digest), { force: true }).catch((error: unknown) => {
      throw asLayoutError(error, `deleting blob ${digest} in ${this.path}`, options.signal);
    });
  }

  async listBlobs(options: CallOptions = {}): Promise<Digest[]> {
    options.signal?.throwIfAborted();
    return listBlobDigests(this.path).catch((error: unknown) => {
      throw asLayoutError(error, `listing blobs in ${this.path}`, options.signal);
    });
  }

  blobPath(digest: Digest): string {
    return blobFilePath(this.path, digest);
  }

  async putReference(name: string, descriptor: IndexEntry, options: PutReferenceOptions = {}): Promise<void> {
    checkDescriptor(descriptor, `descriptor for ${JSON.stringify(name)}`);
    const entry: IndexEntry = {
      ...descriptor,
      annotations: { ...descriptor.annotations, [REF_NAME_ANNOTATION]: name },
    };
    await this.updateIndex((index) => {
      const existing = index.manifests.find((e) => refNameOf(e) === name);
      if (existing !== undefined && sameTarget(existing, entry)) return undefined;
      if (existing !== undefined && options.replace !== true) {
        throw new ImageError(
          'ERR_CLOBBER',
          `reference ${JSON.stringify(name)} in ${this.path} already names ${existing.digest}, not ${entry.digest}`,
        );
      }
      return withEntry(index, entry, name);
    }, options);
  }

  async getReference(name: string, options: CallOptions = {}): Promise<IndexEntry> {
    const entry = (await this.readIndex(options)).manifests.find((e) => refNameOf(e) === name);
    if (entry === undefined) {
      throw new ImageError(
        'ERR_MANIFEST_UNKNOWN',
        `no reference ${JSON.stringify(name)} in the OCI layout ${this.path}`,
      );
    }
    return entry;
  }

  async deleteReference(name: string, options: CallOptions = {}): Promise<void> {
    await this.updateIndex(
      (index) => (index.manifests.some((e) => refNameOf(e) === name) ? withoutName(index, name) : undefined),
      options,
    );
  }

  async listReferences(options: CallOptions = {}): Promise<string[]> {
    const names = (await this.readIndex(options)).manifests.map(refNameOf);
    return [...new Set(names.filter((n): n is string => n !== undefined))];
  }

  readIndex(options: CallOptions = {}): Promise<LayoutIndex> {
    return readLayoutIndex(this.path, options.signal);
  }

  async updateIndex(mutator: IndexMutator, options: CallOptions = {}): Promise<LayoutIndex> {
    return this.withLock(async () => {
      const index = await readLayoutIndex(this.path, options.signal);
      const next = await mutator(index);
      if (next === undefined) return index;
      await this.writeIndexLocked(next, options);
      return next;
    }, options);
  }

  /** Replaces `index.json` atomically; the caller holds the lock. */
  private async writeIndexLocked(index: LayoutIndex, options: CallOptions = {}): Promise<void> {
    const target = join(this.path, INDEX_FILE);
    await writeBytesAtomic(target, serializeLayoutIndex(index), {
      ...(options.signal && { signal: options.signal }),
      what: target,
    });
  }

  withLock<T>(action: () => Promise<T>, options: CallOptions = {}): Promise<T> {
    return this.#locked(action, options);
  }

  async #locked<T>(action: (removedTemps: string[]) => Promise<T>, options: CallOptions): Promise<T> {
    const { signal } = options;
    const lock = await acquireIndexLock(this.path, { timeoutMs: this.#lockTimeoutMs, ...(signal && { signal }) });
    try {
      // only a lock holder writes index.json temps, so any found now were left by a crash
      return await action(await cleanStaleTemps(this.path, true));
    } finally {
      await lock.release();
    }
  }

  async gc(options: GcOptions = {}): Promise<GcResult> {
    const { signal, candidates, nothingWhileOthersWrite } = options;
    return this.#locked(async (removedTemps) => {
      const index = await readLayoutIndex(this.path, signal);
      const own = await this.#ownWorkDirPath();
      const deletedBlobs = await sweepBlobs(this.path, index, {
        ...(own && { ownWorkDir: own }),
        ...(signal && { signal }),
        ...(candidates && { candidates }),
        ...(nothingWhileOthersWrite && { nothingWhileOthersWrite }),
      });
      return { deletedBlobs, removedTemps };
    }, options);
  }

  /** The path of this handle's work directory, if it made one. */
  async #ownWorkDirPath(): Promise<string | undefined> {
    return (await this.#workDir?.catch(() => undefined))?.path;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const own = await this.#ownWorkDirPath();
    if (own !== undefined) await rm(own, { recursive: true, force: true }).catch(() => undefined);
  }
}
