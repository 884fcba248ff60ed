import type { Digest } from '@ferry/types';
import { digestAlgorithm, digestHex } from '@ferry/types';

/** Name of the top-level manifest file. */
export const MANIFEST_FILE = 'manifest.json';
/** Name of the version file. */
export const VERSION_FILE = 'version';
/** What the version file holds when every digest is sha256 (what skopeo 1.9 writes and accepts). */
export const VERSION_1_1 = 'Directory Transport Version: 1.1\n';
/** What the version file holds when some digest is not sha256 (current containers/image). */
export const VERSION_1_2 = 'Directory Transport Version: 1.2\n';

// File names come only from validated digests, so none can hold a `/` or `..`: no path can leave the directory.
// sha256 is named by its hex alone (skopeo's layout); other algorithms as `algo-hex`, as containers/image does.
function digestStem(digest: Digest): string {
  const algorithm = digestAlgorithm(digest);
  return algorithm === 'sha256' ? digestHex(digest) : `${algorithm}-${digestHex(digest)}`;
}

/** The file name of a blob. */
export function blobFileName(digest: Digest): string {
  return digestStem(digest);
}

/** The file name of the top-level manifest, or of a list instance's manifest (`<hex>.manifest.json`). */
export function manifestFileName(instance: Digest | undefined): string {
  return instance === undefined ? MANIFEST_FILE : `${digestStem(instance)}.manifest.json`;
}

/** The file name of the `index`-th signature (from 0), stored as `signature-N` counting from 1. */
export function signatureFileName(index: number, instance: Digest | undefined): string {
  const name = `signature-${index + 1}`;
  return instance === undefined ? name : `${digestStem(instance)}.${name}`;
}

/** Whether a version file's content names a version this package can read and replace (1.x up to 1.2). */
export function isKnownVersion(content: string): boolean {
  const match = /^Directory Transport Version: (\d+)\.(\d+)\n$/.exec(content);
  return match !== null && match[1] === '1' && Number(match[2]) <= 2;
}
