import { join } from 'node:path';
import { type Digest, digestAlgorithm, digestHex } from '@ferry/types';

/** The file naming the layout version. */
export const OCI_LAYOUT_FILE = 'oci-layout';
/** The top-level index of a layout. */
export const INDEX_FILE = 'index.json';
/** The directory holding blobs by `<algorithm>/<hex>`. */
export const BLOBS_DIR = 'blobs';
/** The only `imageLayoutVersion` Ferry reads and writes, as umoci. */
export const IMAGE_LAYOUT_VERSION = '1.0.0';
/** The annotation holding a reference name in `index.json`. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
/** The lock file guarding read-modify-write of `index.json`. */
export const INDEX_LOCK_FILE = 'index.json.lock';
/** Prefix of the per-writer work directories (temp files) inside a layout. */
export const WORK_DIR_PREFIX = '.ferry-work-';

/** Where a blob lives inside the layout at `root`. */
export function blobFilePath(root: string, digest: Digest): string {
  return join(root, BLOBS_DIR, digestAlgorithm(digest), digestHex(digest));
}
/** Prefix of short-lived temp files in the layout root: `.ferry-tmp-<pid>-…`, removed when the pid is gone. */
export const PID_TEMP_PREFIX = '.ferry-tmp-';
