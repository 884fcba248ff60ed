import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { indexTarFile, spoolTar, type TarArchive } from '@ferry/tar';
import type { SystemOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { asLayoutError, errnoOf } from './fs-error.ts';

/**
 * Opens an archive for random access: a regular file is indexed in place (nothing is copied or
 * extracted); anything else that can be read (a FIFO, `/dev/stdin`, a character device) is spooled once
 * into a temp file in `options.tempDir`, removed when the archive is disposed.
 *
 * @throws {@link ImageError} `ERR_MANIFEST_UNKNOWN` when the file does not exist; `ERR_INVALID_IMAGE` for a
 * directory or a malformed tar; `ERR_IO`; an abort throws `signal.reason`.
 */
export async function openArchiveInput(file: string, options: SystemOptions = {}): Promise<TarArchive> {
  const { signal } = options;
  signal?.throwIfAborted();
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') {
      throw new ImageError('ERR_MANIFEST_UNKNOWN', `archive file not found: oci-archive:${file}`, { cause: error });
    }
    throw asLayoutError(error, `opening oci-archive:${file}`, signal);
  }
  if (info.isDirectory()) {
    throw new ImageError('ERR_INVALID_IMAGE', `oci-archive:${file} is a directory, not a tar file`);
  }
  const call = signal === undefined ? {} : { signal };
  if (info.isFile()) return indexTarFile(file, call);
  // not seekable: read it once, start to end
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  return spoolTar(stream, { ...call, ...(options.tempDir !== undefined && { dir: options.tempDir }) });
}
