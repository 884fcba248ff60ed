import { ImageError } from '@ferry/types';
import { safeMemberPath } from './member-path.ts';
import type { TarEntry } from './tar-entry.ts';

/** How many links one lookup may follow before it is called a loop (Linux's limit). */
export const MAX_LINK_HOPS = 40;

/**
 * Finds the member a name leads to, following symlinks (relative to the link's directory) and hard links
 * (relative to the archive root) in every path component, all within the archive.
 *
 * @returns The final member, or `undefined` when no member has the resolved name.
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` for a name or link target leaving the archive root, an
 * absolute symlink target, or more than {@link MAX_LINK_HOPS} links.
 */
export function resolveMember(
  members: ReadonlyMap<string, TarEntry>,
  name: string,
  label: string,
): TarEntry | undefined {
  const normalized = safeMemberPath(name);
  const pending = normalized === '.' ? [] : normalized.split('/');
  const resolved: string[] = [];
  let hops = 0;
  for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (resolved.pop() === undefined) throw escapes(name, label);
      continue;
    }
    const entry = members.get([...resolved, part].join('/'));
    if (entry?.linkName === undefined) {
      resolved.push(part);
      continue;
    }
    hops++;
    if (hops > MAX_LINK_HOPS) {
      throw new ImageError(
        'ERR_INVALID_IMAGE',
        `too many links (a loop?) resolving ${JSON.stringify(name)} in ${label}`,
      );
    }
    const target = entry.linkName;
    if (target === '' || target.includes('\0')) {
      throw new ImageError('ERR_INVALID_IMAGE', `link ${entry.name} in ${label} has an invalid target`);
    }
    if (target.startsWith('/')) {
      throw new ImageError('ERR_INVALID_IMAGE', `link ${entry.name} in ${label} has an absolute target ${target}`);
    }
    // a hard link names a member from the archive root; a symlink is relative to its own directory
    if (entry.type === 'hardlink') resolved.length = 0;
    pending.unshift(...target.split('/'));
  }
  return members.get(resolved.length === 0 ? '.' : resolved.join('/'));
}

function escapes(name: string, label: string): ImageError {
  return new ImageError('ERR_INVALID_IMAGE', `${JSON.stringify(name)} leads outside the archive root of ${label}`);
}
