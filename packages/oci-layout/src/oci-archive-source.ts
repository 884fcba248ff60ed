import { MANIFEST_LIMIT } from '@ferry/blob';
import type { TarArchive, TarEntry } from '@ferry/tar';
import type {
  BlobInfo,
  BlobStream,
  CallOptions,
  Digest,
  ImageReference,
  ManifestBlob,
  Signature,
  SystemOptions,
} from '@ferry/types';
import { digestAlgorithm, digestHex, ImageError } from '@ferry/types';
import { type BlobRange, INTERNAL, type InternalGetBlobOptions, type InternalSource } from '@ferry/types/internal';
import { instanceMediaType } from './instance-media-type.ts';
import type { IndexEntry, LayoutIndex } from './layout-index.ts';
import { BLOBS_DIR } from './layout-paths.ts';
import { openArchiveInput } from './oci-archive-input.ts';
import { readArchiveIndex } from './oci-archive-layout-files.ts';
import type { OciArchiveReferenceParts } from './oci-archive-transport.ts';
import { resolveEntry } from './resolve-entry.ts';

/**
 * Opens an `oci-archive:` reference for reading, without extracting anything: the tar is indexed once
 * (or, when it is not seekable, spooled once), `oci-layout` and `index.json` are checked and the image's
 * entry resolved as `oci:` does; blobs are then streamed from their offsets in the archive.
 *
 * @throws {@link ImageError} `ERR_MANIFEST_UNKNOWN` when the file or the image is missing;
 * `ERR_INVALID_IMAGE` when it is not an OCI archive (bad tar, unsafe member names, missing or invalid
 * `oci-layout` or `index.json`); `ERR_IO`; an abort throws `signal.reason`.
 * @example
 * ```ts
 * await using source = await openOciArchiveSource(ref, { file: '/tmp/image.tar', name: 'v1' });
 * const { bytes } = await source.getManifest();
 * ```
 */
export async function openOciArchiveSource(
  reference: ImageReference,
  parts: OciArchiveReferenceParts,
  options: SystemOptions = {},
): Promise<InternalSource> {
  const archive = await openArchiveInput(parts.file, options);
  try {
    const index = await readArchiveIndex(archive, parts.file, options);
    const { entry } = resolveEntry(index, { dir: parts.file, name: parts.name, sourceIndex: undefined });
    return new OciArchiveSource(reference, archive, parts.file, index, entry);
  } catch (error) {
    await archive.close().catch(() => undefined);
    if (options.signal?.aborted === true) throw options.signal.reason;
    throw error;
  }
}

class OciArchiveSource implements InternalSource {
  readonly [INTERNAL] = true as const;
  readonly reference: ImageReference;
  readonly supportsRangeReads = true;
  readonly #archive: TarArchive;
  readonly #file: string;
  readonly #index: LayoutIndex;
  readonly #top: IndexEntry;

  constructor(reference: ImageReference, archive: TarArchive, file: string, index: LayoutIndex, top: IndexEntry) {
    this.reference = reference;
    this.#archive = archive;
    this.#file = file;
    this.#index = index;
    this.#top = top;
  }

  async getManifest(instance?: Digest, options: CallOptions = {}): Promise<ManifestBlob> {
    const digest = instance ?? this.#top.digest;
    const entry = this.#blobEntry(digest);
    if (entry === undefined) {
      throw new ImageError('ERR_MANIFEST_UNKNOWN', `manifest ${digest} not in oci-archive:${this.#file}`);
    }
    const bytes = await this.#archive.readMember(entry.name, MANIFEST_LIMIT, options);
    const mediaType = instance === undefined ? this.#top.mediaType : await this.#instanceType(instance, options);
    return { bytes, mediaType: mediaType === '' ? undefined : mediaType };
  }

  #instanceType(instance: Digest, options: CallOptions): Promise<string | undefined> {
    const readTop = async () => {
      const entry = this.#blobEntry(this.#top.digest);
      return entry === undefined ? undefined : await this.#archive.readMember(entry.name, MANIFEST_LIMIT, options);
    };
    return instanceMediaType(this.#index, this.#top, instance, readTop, options);
  }

  async getBlob(info: BlobInfo, options: InternalGetBlobOptions = {}): Promise<BlobStream> {
    const entry = this.#requireBlob(info.digest);
    const call = options.signal === undefined ? {} : { signal: options.signal };
    return { stream: this.#archive.openMember(entry, call), size: entry.size };
  }

  async getBlobRange(info: BlobInfo, range: BlobRange, options: CallOptions = {}): Promise<BlobStream> {
    const entry = this.#requireBlob(info.digest);
    const start = Math.min(range.offset, entry.size);
    const end = range.length === undefined ? entry.size : Math.min(entry.size, start + range.length);
    const stream = this.#archive.openMember(entry, { start, end, ...(options.signal && { signal: options.signal }) });
    return { stream, size: end - start };
  }

  async getSignatures(): Promise<readonly Signature[]> {
    return [];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#archive.close();
  }

  /** The regular file holding a blob (after links inside the archive), or `undefined`. */
  #blobEntry(digest: Digest): TarEntry | undefined {
    const entry = this.#archive.resolve(`${BLOBS_DIR}/${digestAlgorithm(digest)}/${digestHex(digest)}`);
    if (entry !== undefined && entry.type !== 'file') {
      throw new ImageError('ERR_INVALID_IMAGE', `blob ${digest} in oci-archive:${this.#file} is not a regular file`);
    }
    return entry;
  }

  #requireBlob(digest: Digest): TarEntry {
    const entry = this.#blobEntry(digest);
    if (entry === undefined)
      throw new ImageError('ERR_BLOB_UNKNOWN', `blob ${digest} not in oci-archive:${this.#file}`);
    return entry;
  }
}
