import { ImageError } from '@ferry/types';

/**
 * Normalizes a member name taken from untrusted input (a tar header, `manifest.json`) and refuses names that
 * could reach outside the archive root: `./a//b/` becomes `a/b`, `a/../b` becomes `b`, and the root itself is
 * `.`. Absolute names, `..` that climbs above the root, empty names and NUL bytes are refused.
 *
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` naming the refused name.
 * @example
 * ```ts
 * const layerPath = safeMemberPath(item.Layers[0]); // 'abc/layer.tar', or throws for '../../etc/passwd'
 * const entry = archive.resolve(layerPath);
 * ```
 */
export function safeMemberPath(name: string): string {
  if (name === '') throw new ImageError('ERR_INVALID_IMAGE', 'empty member name');
  if (name.includes('\0')) throw new ImageError('ERR_INVALID_IMAGE', `member name ${JSON.stringify(name)} holds NUL`);
  if (name.startsWith('/')) {
    throw new ImageError('ERR_INVALID_IMAGE', `absolute member name ${JSON.stringify(name)}`);
  }
  // most names are already normal: no empty, `.` or `..` component, no trailing slash
  if (!/(?:^|\/)\.{0,2}(?:\/|$)/.test(name)) return name;
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.pop() === undefined) {
        throw new ImageError('ERR_INVALID_IMAGE', `member name ${JSON.stringify(name)} leaves the archive`);
      }
      continue;
    }
    parts.push(part);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}
