import { MANIFEST_LIMIT } from '@ferry/blob';
import { safeMemberPath, type TarArchive, type TarEntry } from '@ferry/tar';
import type { ByteStream, CallOptions, Digest, ImageSource } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { type ArchiveManifestItem, MANIFEST_JSON, parseArchiveManifest } from './archive-manifest.ts';
import { chooseImage, type ImageSelector } from './choose-image.ts';
import { openArchiveSource } from './docker-archive-source.ts';
import { type LayerFacts, learnLayerFacts } from './layer-facts.ts';
import { openArchiveTar } from './open-archive-tar.ts';

/** Options of {@link openDockerArchive}. */
export interface OpenDockerArchiveOptions extends CallOptions {
  /** Where a spooled copy of a pipe, a stream or a compressed archive goes. @default os.tmpdir() */
  readonly tempDir?: string;
}

/**
 * Opens a `docker save` archive for reading: a seekable file is indexed in place (headers only, no
 * extraction); a pipe, `-` (standard input), a stream or a compressed archive is spooled once into a temp
 * file. `manifest.json` is read and every member it names is checked to be a regular file inside the archive
 * (following symlinks such as the legacy `ID/layer.tar -> ../hex.tar`).
 *
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` for a bad tar, a missing or malformed `manifest.json`, a
 * member name that is absolute or leaves the archive, or a missing member (named in the message); `ERR_IO`
 * when the file cannot be read; an abort throws `signal.reason`.
 * @example
 * ```ts
 * await using reader = await openDockerArchive('images.tar', { signal });
 * console.log(reader.items.map((item) => item.RepoTags));
 * await using source = reader.newImageSource({ sourceIndex: 1 });
 * const { bytes } = await source.getManifest();
 * ```
 */
export async function openDockerArchive(
  input: string | ByteStream,
  options: OpenDockerArchiveOptions = {},
): Promise<DockerArchiveReader> {
  const { archive, label } = await openArchiveTar(input, options);
  try {
    if (archive.resolve(MANIFEST_JSON) === undefined) {
      throw new ImageError('ERR_INVALID_IMAGE', `${label} has no ${MANIFEST_JSON} (is it a docker save archive?)`);
    }
    const items = parseArchiveManifest(await archive.readMember(MANIFEST_JSON, MANIFEST_LIMIT, options), label);
    const members = new Map<string, TarEntry>();
    for (const [i, item] of items.entries()) {
      for (const name of [item.Config, ...item.Layers]) {
        members.set(name, memberOf(archive, name, `${MANIFEST_JSON} item @${i} of ${label}`));
      }
    }
    return new DockerArchiveReader(archive, label, typeof input === 'string' ? input : '-', items, members);
  } catch (error) {
    await archive.close();
    throw error;
  }
}

function memberOf(archive: TarArchive, name: string, what: string): TarEntry {
  let entry: TarEntry | undefined;
  try {
    entry = archive.resolve(safeMemberPath(name));
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', `${what} names ${JSON.stringify(name)}, which leaves the archive`, {
      cause,
    });
  }
  if (entry === undefined) {
    throw new ImageError('ERR_INVALID_IMAGE', `${what} names ${JSON.stringify(name)}, which is not in the archive`);
  }
  if (entry.type !== 'file') {
    throw new ImageError('ERR_INVALID_IMAGE', `${what} names ${JSON.stringify(name)}, which is not a regular file`);
  }
  return entry;
}

/**
 * An open `docker save` archive: its images (`manifest.json` items) and random access to its members. Any
 * number of sources may read it at once; layer facts (compression, digests of compressed layers) are learnt
 * once and shared by them. Dispose of it when done; sources it made stop working then.
 */
export class DockerArchiveReader implements AsyncDisposable {
  /** The images of `manifest.json`, in order. */
  readonly items: readonly ArchiveManifestItem[];
  /** Names the archive in messages. */
  readonly label: string;
  /** The path the archive was opened from (`-` for a stream). */
  readonly path: string;
  /** The indexed tar. */
  readonly archive: TarArchive;
  readonly #members: ReadonlyMap<string, TarEntry>;
  readonly #facts = new Map<string, Promise<LayerFacts>>();

  /** Made by {@link openDockerArchive}. */
  constructor(
    archive: TarArchive,
    label: string,
    path: string,
    items: readonly ArchiveManifestItem[],
    members: ReadonlyMap<string, TarEntry>,
  ) {
    this.archive = archive;
    this.label = label;
    this.path = path;
    this.items = items;
    this.#members = members;
  }

  /**
   * The image a selector chooses (see containers/image's `ChooseManifestItem`).
   * @throws {@link ImageError} `ERR_MANIFEST_UNKNOWN` when none matches; `ERR_INVALID_IMAGE` when nothing was
   * chosen and the archive holds other than one image.
   */
  chooseImage(selector: ImageSelector = {}): { readonly item: ArchiveManifestItem; readonly index: number } {
    return chooseImage(this.items, selector, this.label);
  }

  /** The regular-file member a `manifest.json` name leads to (checked when the archive was opened). @internal */
  member(name: string): TarEntry {
    const entry = this.#members.get(name);
    if (entry === undefined) throw new ImageError('ERR_INVALID_IMAGE', `${name} is not named by ${MANIFEST_JSON}`);
    return entry;
  }

  /** How to serve a layer member; learnt once per member and diff_id, shared by every source. @internal */
  layerFacts(entry: TarEntry, diffId: Digest, options: CallOptions = {}): Promise<LayerFacts> {
    const key = `${entry.name}\0${diffId}`;
    let facts = this.#facts.get(key);
    if (facts === undefined) {
      facts = learnLayerFacts(this.archive, entry, diffId, options);
      this.#facts.set(key, facts);
      // a failure (an abort above all) is not kept: the next caller tries again
      facts.catch(() => this.#facts.delete(key));
    }
    return facts;
  }

  /**
   * Opens one image for reading; the source does not close this reader.
   * @throws {@link ImageError} as {@link DockerArchiveReader.chooseImage}.
   * @example
   * ```ts
   * await using source = reader.newImageSource({ sourceIndex: 0 });
   * ```
   */
  newImageSource(selector: ImageSelector = {}): ImageSource {
    return openArchiveSource(this, selector, false);
  }

  /** Closes the archive (and removes a spooled copy). */
  close(): Promise<void> {
    return this.archive.close();
  }

  /** Same as {@link DockerArchiveReader.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
