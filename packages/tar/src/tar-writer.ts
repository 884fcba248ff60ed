import type { ByteStream, CallOptions } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import { abortable, closeSource } from './abortable.ts';
import { type MemberHeaderFields, memberHeader } from './member-header.ts';
import { safeMemberPath } from './member-path.ts';
import { BLOCK_SIZE, paddedSize } from './tar-header.ts';
import { type TarSink, type TarSinkTarget, toSink } from './tar-sink.ts';

/** Options of {@link createTarWriter}. Defaults match containers/image's docker-archive writer. */
export interface TarWriterOptions extends CallOptions {
  /** Modification time of every member, in seconds since the epoch. @default 0 */
  readonly mtime?: number;
  /** Permission bits of regular files. @default 0o444 */
  readonly fileMode?: number;
  /** Permission bits of directories. @default 0o755 */
  readonly directoryMode?: number;
  /** Permission bits of symlinks. @default 0 (as Go's `tar.FileInfoHeader` writes them) */
  readonly symlinkMode?: number;
}

/**
 * Writes a tar archive member by member. Members MUST be added one at a time: await each call before the
 * next (a concurrent call fails with `ERR_INVALID_ARGUMENT`). After any failure the writer is unusable, since
 * the archive is no longer well formed.
 */
export interface TarWriter {
  /**
   * Adds a regular file: the header, then exactly `size` bytes from `stream` (which is owned: read to its
   * end or closed). Fewer or more bytes fail with `ERR_SIZE_MISMATCH`.
   */
  addFile(name: string, size: number, stream: ByteStream, options?: CallOptions): Promise<void>;
  /** Adds a regular file holding `bytes`. */
  addBytes(name: string, bytes: Uint8Array, options?: CallOptions): Promise<void>;
  /** Adds a directory. */
  addDirectory(name: string, options?: CallOptions): Promise<void>;
  /** Adds a symlink to `target` (written as given). */
  addSymlink(name: string, target: string, options?: CallOptions): Promise<void>;
  /** Writes the end-of-archive marker (two zero blocks) and ends a `Writable` sink (a `FileHandle` stays open). */
  finish(options?: CallOptions): Promise<void>;
  /** The number of bytes written so far. */
  readonly bytesWritten: number;
}

/**
 * Creates a streaming tar writer over a Node `Writable` or a `FileHandle`, respecting backpressure. Headers
 * are deterministic: uid/gid 0, empty user and group names, one configurable mtime; names longer than 100
 * bytes use the ustar prefix when they fit, pax `path` records otherwise; sizes of 8 GiB and more use pax
 * `size` records.
 *
 * @throws {@link ImageError} from its methods: `ERR_INVALID_ARGUMENT` for an unsafe name or misuse,
 * `ERR_SIZE_MISMATCH`, `ERR_IO`; an abort throws `signal.reason`.
 * @example
 * ```ts
 * const tar = createTarWriter(createWriteStream('out.tar'), { signal });
 * await tar.addBytes('manifest.json', bytes);
 * await tar.addFile(`${hex}.tar`, size, layerStream);
 * await tar.finish();
 * ```
 */
export function createTarWriter(target: TarSinkTarget, options: TarWriterOptions = {}): TarWriter {
  return new StreamingTarWriter(toSink(target), options);
}

class StreamingTarWriter implements TarWriter {
  readonly #sink: TarSink;
  readonly #options: TarWriterOptions;
  #state: 'idle' | 'busy' | 'finished' | 'broken' = 'idle';
  #failure: unknown;
  #written = 0;

  constructor(sink: TarSink, options: TarWriterOptions) {
    this.#sink = sink;
    this.#options = options;
  }

  get bytesWritten(): number {
    return this.#written;
  }

  addFile(name: string, size: number, stream: ByteStream, options: CallOptions = {}): Promise<void> {
    return this.#run(options, stream, async (signal) => {
      if (!Number.isSafeInteger(size) || size < 0) {
        throw new ImageError('ERR_INVALID_ARGUMENT', `invalid size ${size} for tar member ${name}`);
      }
      const header = this.#header(name, { typeflag: '0', size, mode: this.#options.fileMode ?? 0o444 });
      await this.#write(header, signal);
      let copied = 0;
      for await (const chunk of abortable(stream, signal)) {
        copied += chunk.byteLength;
        if (copied > size) throw mismatch(name, size, 'more');
        await this.#write(chunk, signal);
      }
      if (copied < size) throw mismatch(name, size, `only ${copied}`);
      await this.#pad(size, signal);
    });
  }

  addBytes(name: string, bytes: Uint8Array, options: CallOptions = {}): Promise<void> {
    return this.#run(options, undefined, async (signal) => {
      const mode = this.#options.fileMode ?? 0o444;
      await this.#write(this.#header(name, { typeflag: '0', size: bytes.byteLength, mode }), signal);
      await this.#write(bytes, signal);
      await this.#pad(bytes.byteLength, signal);
    });
  }

  addDirectory(name: string, options: CallOptions = {}): Promise<void> {
    return this.#run(options, undefined, async (signal) => {
      const mode = this.#options.directoryMode ?? 0o755;
      await this.#write(this.#header(name, { typeflag: '5', size: 0, mode }), signal);
    });
  }

  addSymlink(name: string, target: string, options: CallOptions = {}): Promise<void> {
    return this.#run(options, undefined, async (signal) => {
      if (target === '' || target.includes('\0')) {
        throw new ImageError('ERR_INVALID_ARGUMENT', `invalid symlink target for tar member ${name}`);
      }
      const mode = this.#options.symlinkMode ?? 0;
      await this.#write(this.#header(name, { typeflag: '2', size: 0, mode, linkName: target }), signal);
    });
  }

  async finish(options: CallOptions = {}): Promise<void> {
    await this.#run(options, undefined, async (signal) => {
      await this.#write(new Uint8Array(2 * BLOCK_SIZE), signal);
      await this.#sink.end(signal);
    });
    this.#state = 'finished';
  }

  #header(name: string, fields: Omit<MemberHeaderFields, 'name' | 'mtime'>): Uint8Array {
    let normalized: string;
    try {
      normalized = safeMemberPath(name);
    } catch (cause) {
      throw new ImageError('ERR_INVALID_ARGUMENT', `unsafe tar member name ${JSON.stringify(name)}`, { cause });
    }
    if (normalized === '.') throw new ImageError('ERR_INVALID_ARGUMENT', 'a tar member cannot be the root');
    return memberHeader({ ...fields, name: normalized, mtime: this.#options.mtime ?? 0 });
  }

  async #write(bytes: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    await this.#sink.write(bytes, signal);
    this.#written += bytes.byteLength;
  }

  async #pad(size: number, signal: AbortSignal | undefined): Promise<void> {
    const padding = paddedSize(size) - size;
    if (padding > 0) await this.#write(new Uint8Array(padding), signal);
  }

  // Runs one member's writes exclusively; any failure leaves the writer broken.
  async #run(
    options: CallOptions,
    stream: ByteStream | undefined,
    body: (signal: AbortSignal | undefined) => Promise<void>,
  ): Promise<void> {
    const refused = this.#refusal();
    if (refused !== undefined) {
      if (stream !== undefined) closeSource(stream);
      throw refused;
    }
    this.#state = 'busy';
    const signal = combine(this.#options.signal, options.signal);
    try {
      await body(signal);
      this.#state = 'idle';
    } catch (error) {
      this.#state = 'broken';
      this.#failure = error;
      // not awaited: a generator stuck in next() would queue return() behind it
      if (stream !== undefined) closeSource(stream);
      if (signal?.aborted === true && !isImageError(error)) throw signal.reason;
      throw error;
    }
  }

  #refusal(): ImageError | undefined {
    switch (this.#state) {
      case 'busy':
        return new ImageError('ERR_INVALID_ARGUMENT', 'tar members must be added one at a time');
      case 'finished':
        return new ImageError('ERR_INVALID_ARGUMENT', 'the tar writer is finished');
      case 'broken':
        return new ImageError('ERR_INVALID_ARGUMENT', 'the tar writer failed earlier and is unusable', {
          cause: this.#failure,
        });
      default:
        return undefined;
    }
  }
}

function mismatch(name: string, size: number, got: string): ImageError {
  return new ImageError('ERR_SIZE_MISMATCH', `tar member ${name}: the stream holds ${got} bytes, not ${size}`);
}

function combine(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return AbortSignal.any([a, b]);
}
