import { type FileHandle, link, mkdir, open, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { verifyStream, writeStreamToFile } from '@ferry/blob';
import type { ByteStream, CallOptions, Digest, StoredBlob } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { asLayoutError, errnoOf } from './fs-error.ts';
import { blobFilePath } from './layout-paths.ts';

/** Options of {@link publishBlob}. */
export interface PublishBlobOptions extends CallOptions {
  /** The digest the stream MUST hash to. */
  readonly digest?: Digest;
  /** The size the stream MUST have. */
  readonly size?: number;
  /**
   * The caller verifies the stream against `digest` (it throws before its end on a mismatch), so it is not
   * hashed again here; only its size is counted. Ignored without `digest`.
   * @default false
   */
  readonly verifiedByCaller?: boolean;
}

/** What {@link publishBlob} stored. */
export interface PublishedBlob extends StoredBlob {
  /** True when this call created the blob file; false when an identical one was already there. */
  readonly created: boolean;
}

/**
 * Streams a blob into `temp` (in the layout's own temp area), verifying digest and size on the way,
 * fsyncs it, and only then publishes it at `blobs/<alg>/<hex>` in `root`. Publication is a hard link, so
 * exactly one of several concurrent writers of the same blob "creates" it; where links are unsupported it
 * falls back to a rename. A blob file is therefore always complete and correct. The temp file is removed
 * on every exit.
 */
export async function publishBlob(
  root: string,
  temp: string,
  stream: ByteStream,
  options: PublishBlobOptions,
): Promise<PublishedBlob> {
  const { signal, digest, size } = options;
  let handle: FileHandle | undefined;
  try {
    const trusted = options.verifiedByCaller === true && digest !== undefined;
    const verified = trusted
      ? undefined
      : verifyStream(stream, {
          ...(digest && { digest }),
          ...(size !== undefined && { size }),
          ...(signal && { signal }),
          what: `blob ${digest ?? ''} for ${root}`.replace('  ', ' '),
        });
    try {
      handle = await open(temp, 'wx', 0o644);
    } catch (error) {
      await (verified ?? stream)[Symbol.asyncIterator]().return?.();
      throw error;
    }
    const written = await writeStreamToFile(handle, verified ?? stream, signal === undefined ? {} : { signal });
    const result = verified === undefined ? trustedResult(digest as Digest, size, written, root) : verified.result;
    if (result === undefined) throw new Error('the stream ended without a result');
    await handle.sync();
    await handle.close();
    handle = undefined;
    signal?.throwIfAborted();
    const target = blobFilePath(root, result.digest);
    await mkdir(dirname(target), { recursive: true });
    const created = await linkOrRename(temp, target, result.size);
    await syncDir(dirname(target));
    return { ...result, created };
  } catch (error) {
    throw asLayoutError(error, `writing a blob into ${root}`, signal);
  } finally {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

async function linkOrRename(temp: string, target: string, size: number): Promise<boolean> {
  try {
    await link(temp, target);
    return true;
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EEXIST') {
      // another tool may have written it non-atomically: a file of the wrong size is replaced
      if ((await stat(target)).size === size) {
        // reusing it counts as a use: gc spares blobs touched since the oldest active writer started
        const now = new Date();
        await utimes(target, now, now).catch(() => undefined);
        return false;
      }
      await rename(temp, target);
      return true;
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EMLINK') throw error;
  }
  const existed = await stat(target).then(
    () => true,
    () => false,
  );
  await rename(temp, target);
  return !existed;
}

/** Makes renames in `dir` durable; best effort where directories cannot be fsynced. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  await handle
    ?.sync()
    .catch(() => undefined)
    .finally(() => handle.close().catch(() => undefined));
}

function trustedResult(digest: Digest, size: number | undefined, written: number, root: string): StoredBlob {
  if (size !== undefined && size >= 0 && written !== size) {
    throw new ImageError('ERR_SIZE_MISMATCH', `blob ${digest} for ${root} has ${written} bytes, expected ${size}`);
  }
  return { digest, size: written };
}
