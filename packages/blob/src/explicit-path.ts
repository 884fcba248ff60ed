import { realpathSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * The absolute path with every symlink of its existing part resolved, as containers/image's
 * `ResolvePathToFullyExplicit` computes the identity of a path for policy scopes: the policy judges the place
 * an image really is, so `/link/img` and `/real/img` get the same scope. The part that does not exist yet is
 * kept as written. Synchronous, and cheap (one `realpath` per missing level); when the disk cannot be asked
 * (permissions), the lexically resolved path is returned.
 *
 * @example
 * ```ts
 * explicitPath('images/../app'); // '/srv/real-images/app' when images -> /srv/real-images
 * ```
 */
export function explicitPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return absolute;
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return resolve(explicitPath(parent), basename(absolute));
  }
}
