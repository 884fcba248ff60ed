import type { Stats } from 'node:fs';
import { mkdir, open, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { findLeftovers, siblingPath } from '@ferry/blob';
import type {
  ByteStream,
  CallOptions,
  Digest,
  ImageReference,
  NamedReference,
  PutBlobInfo,
  StoredBlob,
  SystemOptions,
} from '@ferry/types';
import { ImageError } from '@ferry/types';
import type { InternalDestination } from '@ferry/types/internal';
import { ArchiveAssembler } from './archive-assembler.ts';
import { openArchiveDestination } from './docker-archive-destination.ts';
import { writerReference } from './docker-archive-transport.ts';
import { streamIntoSink } from './stage-blob.ts';
import { StagingFile } from './staging-file.ts';
import { type ArchiveImage, type StagedBlob, writeArchive } from './write-archive.ts';

/** Options of {@link DockerArchiveWriter.stageBlob}. */
export interface StageOptions extends CallOptions {
  /** The blob is the image config: it is kept apart and written at commit. @default false */
  readonly isConfig?: boolean;
}

/** Options of {@link openDockerArchiveWriter}. */
export interface OpenDockerArchiveWriterOptions extends CallOptions {
  /**
   * Where blobs are staged when the target is not a regular file (a pipe, `/dev/stdout`). A regular target
   * always stages beside itself, so the finished archive can be renamed into place.
   * @default os.tmpdir()
   */
  readonly tempDir?: string;
}

/**
 * Opens a writer of a new `docker save` archive at `path`, which may receive several images (as
 * containers/image's `tarfile.Writer`). Nothing appears at `path` until {@link DockerArchiveWriter.commit}:
 * everything is written in a directory beside the target, where the archive is built while layers arrive
 * (any number at once, each written once); `commit` appends the configs, the legacy files and
 * `manifest.json`, syncs the archive and renames it over `path`, so an existing file is replaced only by a
 * complete archive. A non-regular target (a pipe, `/dev/stdout`) gets everything staged, then written in
 * place at commit. A killed process leaves the target as it was; the staging directory it left
 * (`.NAME.ferry-PID-*.staging`) is removed by the next writer of the same target.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when `path` is a directory; `ERR_IO` when the staging
 * directory cannot be made.
 * @example
 * ```ts
 * await using writer = await openDockerArchiveWriter('two.tar');
 * await copyImage(policy, writer.newReference(parseNormalizedNamed('a:1')), srcA);
 * await copyImage(policy, writer.newReference(parseNormalizedNamed('b:1')), srcB);
 * await writer.commit();
 * ```
 */
export async function openDockerArchiveWriter(
  path: string,
  options: OpenDockerArchiveWriterOptions = {},
): Promise<DockerArchiveWriter> {
  options.signal?.throwIfAborted();
  // a symlinked target is written through, as containers/image does
  const existing = await stat(path).catch(() => undefined);
  // a pipe or device (`/dev/stdout`) is written where it is; a file is written at its real path
  const resolved = existing === undefined ? await resolveTarget(path) : existing.isFile() ? await realpath(path) : path;
  if (existing?.isDirectory() === true) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `docker archive target ${path} is a directory`);
  }
  refuseExistingArchive(path, existing);
  const regular = existing === undefined || existing.isFile();
  const parent = regular ? dirname(resolve(resolved)) : (options.tempDir ?? tmpdir());
  // the staging directory is named after the target even when it lives in tempDir (a pipe target)
  const stagingTarget = join(parent, basename(resolved));
  for (const leftover of await findLeftovers(stagingTarget)) {
    await rm(leftover.path, { recursive: true, force: true }).catch(() => undefined);
  }
  const staging = siblingPath(stagingTarget, 'staging');
  try {
    await mkdir(staging, { mode: 0o700 });
  } catch (cause) {
    throw new ImageError('ERR_IO', `creating a staging directory for docker archive ${path}`, { cause });
  }
  return new DockerArchiveWriter(resolved, staging, regular);
}

// follows symlinks, also one whose target does not exist yet (the archive is created there)
async function resolveTarget(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    const link = await readlink(current).catch(() => undefined);
    if (link === undefined) break;
    current = resolve(dirname(current), link);
  }
  const parent = await realpath(dirname(current)).catch(() => dirname(current));
  return join(parent, basename(current));
}

// as containers/image: a non-empty archive is never modified or replaced, so the images already in it are
// not lost (an empty file, e.g. one made by mktemp, is fine)
function refuseExistingArchive(path: string, existing: Stats | undefined): void {
  if (existing?.isFile() === true && existing.size > 0) {
    throw new ImageError(
      'ERR_CLOBBER',
      `docker-archive doesn't support modifying existing images: ${path} exists and is not empty (remove it first)`,
    );
  }
}

/**
 * A `docker save` archive being written; see {@link openDockerArchiveWriter}. Destinations it makes add their
 * image when they commit; `commit` then writes the archive. Disposing of it without `commit` removes
 * everything staged and leaves `path` as it was.
 */
export class DockerArchiveWriter implements AsyncDisposable {
  /** The target path. */
  readonly path: string;
  readonly #staging: string;
  readonly #assembler: ArchiveAssembler | undefined;
  readonly #blobs = new Map<Digest, StagedBlob>();
  readonly #images: ArchiveImage[] = [];
  #counter = 0;
  #state: 'open' | 'committing' | 'committed' | 'failed' | 'disposed' = 'open';

  /** Made by {@link openDockerArchiveWriter}. */
  constructor(path: string, staging: string, regular: boolean) {
    this.path = path;
    this.#staging = staging;
    this.#assembler = regular ? new ArchiveAssembler(join(staging, 'archive.tar')) : undefined;
  }

  /**
   * A `docker-archive:` reference whose destinations write into this archive (`name` becomes the image's
   * tag; none writes an untagged image). Its destinations never commit the writer.
   * @example
   * ```ts
   * await copyImage(policy, writer.newReference(parseNormalizedNamed('busybox:1')), source);
   * ```
   */
  newReference(name?: NamedReference): ImageReference {
    return writerReference(this, name);
  }

  /**
   * A destination adding one image (tagged `name`, plus `options.additionalTags`) to this archive when it
   * commits. It does not commit the writer.
   * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for a tag with a digest, or once the writer committed.
   */
  newDestination(name?: NamedReference, options: SystemOptions = {}): InternalDestination {
    this.#assertOpen();
    return openArchiveDestination(this, this.newReference(name), name, options, false);
  }

  /**
   * Receives a blob (verified while streaming) unless one with the same digest is there already; safe to
   * call concurrently. Layers of a regular-file target go into the archive as they arrive (see
   * `ArchiveAssembler`); configs, and everything for a non-regular target, are staged until commit. On
   * failure nothing of the blob is kept.
   * @internal used by the archive's destinations
   */
  async stageBlob(stream: ByteStream, info: PutBlobInfo, options: StageOptions = {}): Promise<StoredBlob> {
    this.#assertOpen();
    const path = join(this.#staging, `blob-${++this.#counter}`);
    const callOptions = options.signal === undefined ? {} : { signal: options.signal };
    if (this.#assembler !== undefined && options.isConfig !== true) {
      const layer = this.#assembler.newLayer(path);
      let stored: StoredBlob;
      let blob: StagedBlob | undefined;
      try {
        stored = await streamIntoSink(stream, info, layer, callOptions);
        blob = await layer.complete(stored);
      } catch (error) {
        await layer.fail();
        throw error;
      }
      // undefined: the archive holds this layer already
      if (blob !== undefined && !this.#blobs.has(blob.digest)) this.#blobs.set(blob.digest, blob);
      return stored;
    }
    const file = new StagingFile(path);
    let stored: StoredBlob;
    try {
      stored = await streamIntoSink(stream, info, file, callOptions);
      await file.close();
    } catch (error) {
      await file.remove();
      throw error;
    }
    if (this.#blobs.has(stored.digest)) await file.remove();
    else this.#blobs.set(stored.digest, { path, dataOffset: 0, ...stored });
    return stored;
  }

  /** Where the blob with this digest is, if it was received. @internal */
  stagedBlob(digest: Digest): StagedBlob | undefined {
    return this.#blobs.get(digest);
  }

  /** Records an image for the archive (called by a destination's commit). @internal */
  addImage(image: ArchiveImage): void {
    this.#assertOpen();
    this.#images.push(image);
  }

  /**
   * Writes the archive with every image added so far and puts it in place: beside the target, synced, then
   * renamed over it (a non-regular target is written in place). With no image added, nothing is written.
   * The staging directory is removed.
   * @throws {@link ImageError} `ERR_IO`; `ERR_INVALID_ARGUMENT` when called twice; an abort throws
   * `signal.reason` and leaves the target as it was.
   */
  async commit(options: CallOptions = {}): Promise<void> {
    this.#assertOpen();
    this.#state = 'committing';
    try {
      if (this.#images.length > 0)
        await (this.#assembler !== undefined ? this.#writeAndRename(options) : this.#writeInPlace(options));
      this.#state = 'committed';
    } catch (error) {
      this.#state = 'failed';
      throw error;
    } finally {
      await this.#assembler?.abandon();
      await rm(this.#staging, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Removes what is staged; the target is left as it was unless `commit` succeeded. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === 'committing') return;
    if (this.#state === 'open') this.#state = 'disposed';
    await this.#assembler?.abandon();
    await rm(this.#staging, { recursive: true, force: true }).catch(() => undefined);
  }

  async #writeAndRename(options: CallOptions): Promise<void> {
    const assembler = this.#assembler as ArchiveAssembler;
    const alreadyWritten = await assembler.finish();
    const temp = assembler.path;
    const handle = await open(temp, 'a', 0o644).catch((cause: unknown) => {
      throw new ImageError('ERR_IO', `opening ${temp}`, { cause });
    });
    try {
      await writeArchive(handle, this.#images, { ...options, alreadyWritten });
      await handle.sync().catch((cause: unknown) => {
        throw new ImageError('ERR_IO', `syncing ${temp}`, { cause });
      });
    } finally {
      await handle.close().catch(() => undefined);
    }
    options.signal?.throwIfAborted();
    // another writer may have made the archive since this one was opened
    refuseExistingArchive(this.path, await stat(this.path).catch(() => undefined));
    try {
      await rename(temp, this.path);
    } catch (cause) {
      throw new ImageError('ERR_IO', `renaming the new archive onto ${this.path}`, { cause });
    }
    await syncDirectory(dirname(resolve(this.path)));
  }

  async #writeInPlace(options: CallOptions): Promise<void> {
    const handle = await open(this.path, 'w').catch((cause: unknown) => {
      throw new ImageError('ERR_IO', `opening ${this.path}`, { cause });
    });
    try {
      await writeArchive(handle, this.#images, options);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  #assertOpen(): void {
    if (this.#state !== 'open') {
      throw new ImageError('ERR_INVALID_ARGUMENT', `the docker archive writer for ${this.path} is ${this.#state}`);
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // makes the rename durable; some file systems refuse to sync a directory, which is not an error here
  const handle = await open(dir, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close().catch(() => undefined);
}
