import { open } from 'node:fs/promises';
import { MANIFEST_LIMIT } from '@ferry/blob';
import { type Digest, ImageError } from '@ferry/types';
import { asLayoutError, errnoOf } from './fs-error.ts';
import { blobFilePath } from './layout-paths.ts';

/**
 * Reads a small blob (a manifest, an index, a config) of the layout at `root`, refusing more than
 * `MANIFEST_LIMIT` bytes. Returns `undefined` when the blob file does not exist.
 */
export async function readSmallBlob(
  root: string,
  digest: Digest,
  signal?: AbortSignal,
): Promise<Uint8Array | undefined> {
  const path = blobFilePath(root, digest);
  try {
    signal?.throwIfAborted();
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MANIFEST_LIMIT) {
        throw new ImageError('ERR_TOO_LARGE', `blob ${digest} in ${root} exceeds the ${MANIFEST_LIMIT}-byte limit`);
      }
      return new Uint8Array(await handle.readFile(signal === undefined ? {} : { signal }));
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw asLayoutError(error, `reading blob ${digest} in ${root}`, signal);
  }
}
