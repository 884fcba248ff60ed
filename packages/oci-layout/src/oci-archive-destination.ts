import type { Stats } from 'node:fs';
import { mkdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type {
  BlobInfo,
  ByteStream,
  CommitOptions,
  Digest,
  ImageReference,
  PutBlobInfo,
  PutManifestOptions,
  ReusedBlob,
  Signature,
  StoredBlob,
  SystemOptions,
  TypedManifestBlob,
} from '@ferry/types';
import { ImageError } from '@ferry/types';
import {
  INTERNAL,
  type InternalDestination,
  type InternalPutBlobOptions,
  type InternalReuseOptions,
} from '@ferry/types/internal';
import { asLayoutError, errnoOf } from './fs-error.ts';
import { archiveSibling, cleanArchiveLeftovers } from './oci-archive-staging.ts';
import type { OciArchiveReferenceParts } from './oci-archive-transport.ts';
import { writeLayoutArchive } from './oci-archive-writer.ts';
import { openOciDestination } from './oci-destination.ts';

/**
 * Opens an `oci-archive:` reference for writing: removes what killed writers left beside the archive,
 * then stages an OCI layout in a hidden directory beside it (so traits and semantics are `oci:`'s). At
 * `commit` the layout is written as a tar and renamed over the archive; disposing removes the staging
 * directory, committed or not.
 *
 * @throws {@link ImageError} `ERR_CLOBBER` when the target exists and is a directory; `ERR_IO`.
 * @example
 * ```ts
 * await using dest = await openOciArchiveDestination(ref, { file: '/tmp/image.tar', name: 'v1' });
 * ```
 */
export async function openOciArchiveDestination(
  reference: ImageReference,
  parts: OciArchiveReferenceParts,
  options: SystemOptions = {},
): Promise<InternalDestination> {
  options.signal?.throwIfAborted();
  const place = await archivePlace(parts.file, options.signal);
  // a FIFO or a device has no directory of its own to stage beside
  const anchor = place.direct ? join(options.tempDir ?? tmpdir(), basename(place.path)) : place.path;
  const staging = archiveSibling(anchor, 'staging');
  try {
    await cleanArchiveLeftovers(anchor);
    const inner = await openOciDestination(
      reference,
      { dir: staging, name: parts.name, sourceIndex: undefined },
      options,
    );
    return new OciArchiveDestination(reference, inner, staging, place);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw asLayoutError(error, `opening oci-archive:${parts.file} for writing`, options.signal);
  }
}

/** Where an archive is written: a file path with symlinks resolved, or a FIFO/device written in place. */
interface ArchivePlace {
  readonly path: string;
  readonly direct: boolean;
}

// as containers/image, symlinks are followed: writing through a link replaces the file it points to
async function archivePlace(file: string, signal: AbortSignal | undefined): Promise<ArchivePlace> {
  try {
    let info: Stats | undefined;
    try {
      info = await stat(file);
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
    }
    if (info === undefined) {
      await mkdir(dirname(resolve(file)), { recursive: true });
      return { path: join(await realpath(dirname(resolve(file))), basename(file)), direct: false };
    }
    if (info.isDirectory()) {
      throw new ImageError('ERR_CLOBBER', `oci-archive:${file} is a directory; not replacing it`);
    }
    if (!info.isFile()) return { path: file, direct: true };
    return { path: await realpath(file), direct: false };
  } catch (error) {
    throw asLayoutError(error, `checking oci-archive:${file}`, signal);
  }
}

class OciArchiveDestination implements InternalDestination {
  readonly [INTERNAL] = true as const;
  readonly reference: ImageReference;
  readonly traits: InternalDestination['traits'];
  committedManifestDigest: Digest | undefined = undefined;
  readonly #inner: InternalDestination;
  readonly #staging: string;
  readonly #place: ArchivePlace;
  #disposed = false;

  constructor(reference: ImageReference, inner: InternalDestination, staging: string, place: ArchivePlace) {
    this.reference = reference;
    this.traits = inner.traits;
    this.#inner = inner;
    this.#staging = staging;
    this.#place = place;
  }

  putBlob(stream: ByteStream, info: PutBlobInfo, options?: InternalPutBlobOptions): Promise<StoredBlob> {
    return this.#inner.putBlob(stream, info, options);
  }

  tryReusingBlob(info: BlobInfo, options?: InternalReuseOptions): Promise<ReusedBlob | undefined> {
    return this.#inner.tryReusingBlob(info, options);
  }

  putManifest(manifest: TypedManifestBlob, options?: PutManifestOptions): Promise<void> {
    return this.#inner.putManifest(manifest, options);
  }

  putSignatures(signatures: readonly Signature[], options?: PutManifestOptions): Promise<void> {
    return this.#inner.putSignatures(signatures, options);
  }

  /** Records the image in the staged layout, then writes the archive and renames it over the target. */
  async commit(options: CommitOptions = {}): Promise<void> {
    await this.#inner.commit(options);
    await writeLayoutArchive(this.#staging, this.#place.path, { ...options, direct: this.#place.direct });
    this.committedManifestDigest = this.#inner.committedManifestDigest;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    try {
      await this.#inner[Symbol.asyncDispose]();
    } finally {
      await rm(this.#staging, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
