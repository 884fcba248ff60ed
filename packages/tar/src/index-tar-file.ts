import { type FileHandle, open } from 'node:fs/promises';
import type { CallOptions } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import { TarArchive } from './tar-archive.ts';
import { scanTar } from './tar-index.ts';

/**
 * Indexes a tar file in one pass, reading only its headers and seeking past member data, and returns it
 * open for random access. Supports ustar, POSIX pax (`x` per member; `g` is skipped) and GNU long names
 * and links. Every header checksum is verified.
 *
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` naming the member or offset for a bad checksum, an archive
 * cut short, a size running past the end or an unsafe member name; `ERR_IO` when the file cannot be read;
 * an abort throws `signal.reason`.
 * @example
 * ```ts
 * await using archive = await indexTarFile('image.tar', { signal });
 * const manifest = await archive.readMember('manifest.json', MANIFEST_LIMIT, { signal });
 * ```
 */
export async function indexTarFile(path: string, options: CallOptions = {}): Promise<TarArchive> {
  options.signal?.throwIfAborted();
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw new ImageError('ERR_IO', `opening ${path}`, { cause });
  }
  return indexOpenTar(handle, path, options);
}

/**
 * Indexes an already open tar file; the archive takes the handle over and runs `onClose` after closing it.
 * On failure the handle is closed and `onClose` run before the error is thrown.
 */
export async function indexOpenTar(
  handle: FileHandle,
  label: string,
  options: CallOptions = {},
  onClose?: () => Promise<void>,
): Promise<TarArchive> {
  try {
    let size: number;
    try {
      ({ size } = await handle.stat());
    } catch (cause) {
      throw new ImageError('ERR_IO', `reading ${label}`, { cause });
    }
    const entries = await scanTar(handle, size, label, options);
    return new TarArchive({ handle, label, entries, ...(onClose === undefined ? {} : { onClose }) });
  } catch (error) {
    await handle.close().catch(() => undefined);
    await onClose?.().catch(() => undefined);
    if (options.signal?.aborted === true && !isImageError(error, 'ERR_INVALID_IMAGE')) throw options.signal.reason;
    throw error;
  }
}
