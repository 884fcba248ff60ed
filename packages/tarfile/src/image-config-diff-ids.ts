import type { Digest } from '@ferry/types';
import { ImageError, parseDigest } from '@ferry/types';

/**
 * The `rootfs.diff_ids` of an image config, which is all a `docker save` archive needs of it (as in
 * containers/image, nothing else is required).
 *
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` naming `what` for bad JSON or a missing or malformed `rootfs`.
 */
export function configDiffIds(bytes: Uint8Array, what: string): readonly Digest[] {
  let root: unknown;
  try {
    root = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', `${what} is not valid JSON`, { cause });
  }
  const rootfs = (root as { rootfs?: unknown } | null)?.rootfs;
  if (typeof rootfs !== 'object' || rootfs === null) {
    throw new ImageError('ERR_INVALID_IMAGE', `invalid image config ${what}: rootfs is not set`);
  }
  const diffIds = (rootfs as { diff_ids?: unknown }).diff_ids ?? [];
  if (!Array.isArray(diffIds)) throw new ImageError('ERR_INVALID_IMAGE', `${what}: rootfs.diff_ids is not an array`);
  return diffIds.map((d, i) => {
    try {
      return parseDigest(typeof d === 'string' ? d : '');
    } catch (cause) {
      throw new ImageError('ERR_INVALID_IMAGE', `${what}: rootfs.diff_ids[${i}] is not a digest`, { cause });
    }
  });
}
