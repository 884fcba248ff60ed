import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError } from '@ferry/types';
import { asLayoutError, errnoOf } from './fs-error.ts';
import { emptyIndex, type LayoutIndex, parseLayoutIndex, serializeLayoutIndex } from './layout-index.ts';
import { BLOBS_DIR, IMAGE_LAYOUT_VERSION, INDEX_FILE, OCI_LAYOUT_FILE, PID_TEMP_PREFIX } from './layout-paths.ts';
import { syncDir } from './publish-blob.ts';

/**
 * Makes `root` a layout if it is not one yet: creates the directory, `blobs/sha256`, then `index.json`
 * and `oci-layout`, each only if absent and each appearing whole (written aside, then hard-linked into
 * place). `oci-layout` comes last, so a half-made layout is never taken for a valid one, and several
 * processes creating the same layout at once all succeed.
 */
export async function createLayoutFiles(root: string, signal?: AbortSignal): Promise<void> {
  try {
    await mkdir(join(root, BLOBS_DIR, 'sha256'), { recursive: true });
    await createIfAbsent(root, INDEX_FILE, serializeLayoutIndex(emptyIndex()));
    const version = JSON.stringify({ imageLayoutVersion: IMAGE_LAYOUT_VERSION });
    await createIfAbsent(root, OCI_LAYOUT_FILE, new TextEncoder().encode(version));
    await syncDir(root);
  } catch (error) {
    throw asLayoutError(error, `creating the OCI layout ${root}`, signal);
  }
}

async function createIfAbsent(root: string, name: string, bytes: Uint8Array): Promise<void> {
  const temp = join(root, `${PID_TEMP_PREFIX}${process.pid}-create-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes, { flag: 'wx', flush: true });
    await link(temp, join(root, name));
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Checks the `oci-layout` file of `root`.
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` when it is missing, malformed or of another version.
 */
export async function checkLayoutVersion(root: string, signal?: AbortSignal): Promise<void> {
  const path = join(root, OCI_LAYOUT_FILE);
  const text = await readText(path, 'the layout version file', signal);
  let version: unknown;
  try {
    version = (JSON.parse(text) as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion;
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', `${path} is not valid JSON`, { cause });
  }
  if (version !== IMAGE_LAYOUT_VERSION) {
    throw new ImageError(
      'ERR_INVALID_IMAGE',
      `${path}: imageLayoutVersion is ${JSON.stringify(version)}, only ${IMAGE_LAYOUT_VERSION} is supported`,
    );
  }
}

/**
 * Reads and validates `index.json` of `root`.
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` when it is missing or malformed.
 */
export async function readLayoutIndex(root: string, signal?: AbortSignal): Promise<LayoutIndex> {
  const path = join(root, INDEX_FILE);
  const text = await readText(path, 'the index', signal);
  return parseLayoutIndex(new TextEncoder().encode(text), path);
}

async function readText(path: string, what: string, signal?: AbortSignal): Promise<string> {
  try {
    return await readFile(path, { encoding: 'utf8', ...(signal && { signal }) });
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ImageError('ERR_INVALID_IMAGE', `${path} does not exist: not an OCI layout (${what} is missing)`, {
        cause: error,
      });
    }
    throw asLayoutError(error, `reading ${path}`, signal);
  }
}
