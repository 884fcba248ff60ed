import type { FileHandle } from 'node:fs/promises';
import { readLimited } from '@ferry/blob';
import type { ByteStream, CallOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { safeMemberPath } from './member-path.ts';
import { readRange } from './read-range.ts';
import { resolveMember } from './resolve-member.ts';
import type { TarEntry } from './tar-entry.ts';

/** Options of {@link TarArchive.openMember}. */
export interface OpenMemberOptions extends CallOptions {
  /** The first byte of the member to read. @default 0 */
  readonly start?: number;
  /** One past the last byte to read (exclusive, like `Blob.slice`). @default the member's size */
  readonly end?: number;
}

/** What a {@link TarArchive} is built from; made by `indexTarFile` and `spoolTar`. */
export interface TarArchiveInit {
  readonly handle: FileHandle;
  /** Names the archive in error messages (its path). */
  readonly label: string;
  readonly entries: readonly TarEntry[];
  /** Runs after the handle is closed (e.g. removes a spool file). */
  readonly onClose?: () => Promise<void>;
}

/**
 * An indexed tar file with random access to its members, holding one open file handle. Get one from
 * `indexTarFile` or `spoolTar`, and dispose of it (`await using`) when done. Any number of members may be
 * streamed at the same time: every read is positional on the shared handle.
 */
export class TarArchive implements AsyncDisposable {
  /** Every member in archive order, duplicates included (a later member of the same name wins in lookups). */
  readonly entries: readonly TarEntry[];
  readonly #members = new Map<string, TarEntry>();
  readonly #handle: FileHandle;
  readonly #label: string;
  readonly #onClose: (() => Promise<void>) | undefined;
  #closing: Promise<void> | undefined;

  constructor(init: TarArchiveInit) {
    this.entries = init.entries;
    for (const entry of init.entries) this.#members.set(entry.name, entry);
    this.#handle = init.handle;
    this.#label = init.label;
    this.#onClose = init.onClose;
  }

  /**
   * The member with exactly this name (normalized first), without following links.
   *
   * @throws {@link ImageError} `ERR_INVALID_IMAGE` for a name that is absolute or leaves the archive root.
   */
  get(name: string): TarEntry | undefined {
    return this.#members.get(safeMemberPath(name));
  }

  /**
   * The member a name leads to, following symlinks and hard links within the archive (a relative `../`
   * target that stays inside is valid).
   *
   * @returns The final member, or `undefined` if the name (or a link's target) is not in the archive.
   * @throws {@link ImageError} `ERR_INVALID_IMAGE` for a name or target leaving the archive root, an absolute
   * symlink target, or a link loop.
   * @example
   * ```ts
   * const layer = archive.resolve('abc/layer.tar'); // follows abc/layer.tar -> ../def/layer.tar
   * ```
   */
  resolve(name: string): TarEntry | undefined {
    return resolveMember(this.#members, name, this.#label);
  }

  /**
   * Streams a member's bytes (after following links), or the range `[start, end)` of them, with positional
   * reads. The stream is lazy: nothing is read until it is iterated.
   *
   * @throws {@link ImageError} `ERR_INVALID_IMAGE` when the member is missing or not a regular file (or a link
   * to one); `ERR_INVALID_ARGUMENT` for a bad range. Reading fails with `ERR_IO`, or `ERR_INVALID_IMAGE` if the
   * file shrank; an abort throws `signal.reason`.
   * @example
   * ```ts
   * for await (const chunk of archive.openMember('manifest.json', { signal })) process(chunk);
   * ```
   */
  openMember(nameOrEntry: string | TarEntry, options: OpenMemberOptions = {}): ByteStream {
    const entry = this.#fileEntry(nameOrEntry);
    const start = options.start ?? 0;
    const end = options.end ?? entry.size;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > entry.size) {
      throw new ImageError(
        'ERR_INVALID_ARGUMENT',
        `range [${start}, ${end}) is outside member ${entry.name} (${entry.size} bytes) of ${this.#label}`,
      );
    }
    return readRange(this.#handle, entry.dataOffset + start, end - start, {
      label: `member ${entry.name} of ${this.#label}`,
      isClosed: () => this.#closing !== undefined,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }

  /**
   * Reads a small member (a JSON document) into memory, after following links.
   *
   * @throws {@link ImageError} `ERR_TOO_LARGE` when it holds more than `limit` bytes; otherwise as
   * {@link TarArchive.openMember}.
   * @example
   * ```ts
   * const manifest = JSON.parse(new TextDecoder().decode(await archive.readMember('manifest.json', MANIFEST_LIMIT)));
   * ```
   */
  async readMember(name: string, limit: number, options: CallOptions = {}): Promise<Uint8Array> {
    const entry = this.#fileEntry(name);
    const what = `member ${entry.name} of ${this.#label}`;
    if (entry.size > limit) throw new ImageError('ERR_TOO_LARGE', `${what} exceeds the ${limit}-byte limit`);
    return readLimited(this.openMember(entry, options), limit, { ...options, what });
  }

  /** Closes the file handle (after pending reads finish) and runs the clean-up; later calls are no-ops. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** Same as {@link TarArchive.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    try {
      await this.#handle.close();
    } finally {
      await this.#onClose?.();
    }
  }

  #fileEntry(nameOrEntry: string | TarEntry): TarEntry {
    const name = typeof nameOrEntry === 'string' ? nameOrEntry : nameOrEntry.name;
    const entry =
      typeof nameOrEntry === 'string' || nameOrEntry.linkName !== undefined ? this.resolve(name) : nameOrEntry;
    if (entry === undefined) {
      throw new ImageError('ERR_INVALID_IMAGE', `member ${JSON.stringify(name)} is not in ${this.#label}`);
    }
    if (entry.type !== 'file') {
      throw new ImageError(
        'ERR_INVALID_IMAGE',
        `member ${JSON.stringify(name)} of ${this.#label} is not a regular file`,
      );
    }
    return entry;
  }
}
