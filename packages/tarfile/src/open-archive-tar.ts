import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { COMPRESSION_MAGIC_LENGTH, detectCompression } from '@ferry/blob';
import { indexTarFile, spoolTar, type TarArchive } from '@ferry/tar';
import type { ByteStream, CallOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';

/** Options of {@link openArchiveTar}. */
export interface OpenArchiveTarOptions extends CallOptions {
  /** Where a spooled copy of non-seekable or compressed input goes. @default os.tmpdir() */
  readonly tempDir?: string;
}

/**
 * Indexes an archive for random access: a seekable uncompressed file in place; a pipe, `-` (standard input),
 * another non-regular file, a compressed file, or a stream is spooled once into a temp file (decompressed on
 * the way), removed when the archive is closed.
 *
 * @throws {@link ImageError} `ERR_IO` when the path cannot be read; `ERR_INVALID_IMAGE` for a bad tar.
 */
export async function openArchiveTar(
  input: string | ByteStream,
  options: OpenArchiveTarOptions = {},
): Promise<{ readonly archive: TarArchive; readonly label: string }> {
  const spoolOptions = { ...(options.tempDir && { dir: options.tempDir }), ...signalOf(options) };
  if (typeof input !== 'string') return { archive: await spoolTar(input, spoolOptions), label: 'the input stream' };
  if (input === '-') return { archive: await spoolTar(process.stdin, spoolOptions), label: 'standard input' };
  const label = `docker archive ${input}`;
  let isFile: boolean;
  try {
    isFile = (await stat(input)).isFile();
  } catch (cause) {
    throw new ImageError('ERR_IO', `cannot open ${label}`, { cause });
  }
  options.signal?.throwIfAborted();
  if (isFile && (await firstBytesCompression(input, label)) === 'none') {
    return { archive: await indexTarFile(input, signalOf(options)), label };
  }
  return { archive: await spoolTar(createReadStream(input), spoolOptions), label };
}

async function firstBytesCompression(path: string, label: string): Promise<string> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = new Uint8Array(COMPRESSION_MAGIC_LENGTH);
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, 0);
      return detectCompression(buffer.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw new ImageError('ERR_IO', `cannot read ${label}`, { cause });
  }
}

function signalOf(options: CallOptions): CallOptions {
  return options.signal === undefined ? {} : { signal: options.signal };
}
