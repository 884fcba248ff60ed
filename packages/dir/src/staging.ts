import { lstat, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { findLeftovers, siblingPath } from '@ferry/blob';
import { ImageError } from '@ferry/types';
import { isKnownVersion, VERSION_FILE } from './dir-paths.ts';
import { asIoError, systemCode } from './fs-error.ts';

// Hidden siblings of the target (see @ferry/blob's siblingPath): `staging` holds an image being written,
// `old` the previous image moved aside for the two renames of a swap.
/**
 * Removes what killed writers left beside `target`: staging directories are deleted; a previous image moved
 * aside is renamed back when the target is missing (the kill fell between the two renames of a swap), and
 * deleted otherwise. Entries of live processes are left alone.
 */
export async function cleanLeftovers(target: string): Promise<void> {
  for (const { path, kind } of await findLeftovers(target)) {
    if (kind === 'old' && !(await exists(target))) {
      await rename(path, target);
      continue;
    }
    await rm(path, { recursive: true, force: true });
  }
}

/**
 * Refuses with `ERR_CLOBBER` unless `target` is absent, an empty directory, or a `dir:` image (a directory
 * with a `version` file of a known version), so nothing else is ever replaced.
 */
export async function checkReplaceable(target: string): Promise<'absent' | 'empty' | 'image'> {
  let isDirectory: boolean;
  try {
    isDirectory = (await lstat(target)).isDirectory();
  } catch (error) {
    if (systemCode(error) === 'ENOENT') return 'absent';
    throw asIoError(error, `checking ${target}`);
  }
  if (!isDirectory) throw new ImageError('ERR_CLOBBER', `${target} exists and is not a directory`);
  if ((await readdir(target)).length === 0) return 'empty';
  let version: string;
  try {
    version = await readFile(join(target, VERSION_FILE), 'utf8');
  } catch (cause) {
    throw new ImageError('ERR_CLOBBER', `${target} is not empty and holds no dir: image; not replacing it`, { cause });
  }
  if (!isKnownVersion(version)) {
    throw new ImageError('ERR_CLOBBER', `${target} holds an unknown dir: version ${JSON.stringify(version)}`);
  }
  return 'image';
}

/** Creates a new staging directory beside `target` (creating the parent as needed) and returns its path. */
export async function createStaging(target: string): Promise<string> {
  await mkdir(dirname(target), { recursive: true });
  const staging = siblingPath(target, 'staging');
  await mkdir(staging, { mode: 0o755 });
  return staging;
}

/**
 * Replaces `target` by `staging` so that at every moment the path holds the old image or the new one: an
 * absent or empty target is replaced by one rename; an old image is renamed aside, the new one renamed in,
 * and the old one deleted. (Between those two renames the old image sits aside, and
 * {@link cleanLeftovers} puts it back if the process dies there.)
 */
export async function swapIn(staging: string, target: string): Promise<void> {
  const state = await checkReplaceable(target);
  if (state !== 'image') {
    try {
      await rename(staging, target);
    } catch (error) {
      const code = systemCode(error);
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        throw new ImageError('ERR_CLOBBER', `${target} was filled by someone else while writing`, { cause: error });
      }
      throw error;
    }
  } else {
    const aside = siblingPath(target, 'old');
    await rename(target, aside);
    try {
      await rename(staging, target);
    } catch (error) {
      await rename(aside, target).catch(() => undefined);
      throw error;
    }
    await rm(aside, { recursive: true, force: true });
  }
  await syncDirectory(dirname(target));
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (systemCode(error) === 'ENOENT') return false;
    throw error;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => undefined);
  try {
    await handle?.sync();
  } catch {
    // some file systems cannot fsync a directory; durability there is best effort
  } finally {
    await handle?.close();
  }
}
