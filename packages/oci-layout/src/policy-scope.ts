import { posix } from 'node:path';
import { ImageError } from '@ferry/types';

/**
 * The policy namespaces of an absolute layout path, as containers/image: the path itself, then each parent
 * directory, excluding `/` (which would shadow the transport-wide default).
 */
export function pathNamespaces(absolute: string): string[] {
  const out: string[] = [];
  let path = absolute;
  for (;;) {
    const slash = path.lastIndexOf('/');
    if (slash === -1 || path === '/') return out;
    out.push(path);
    path = path.slice(0, slash);
  }
}

/**
 * Checks a policy scope for a path-based transport: absolute, not `/`, and already clean.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT`.
 */
export function validatePathScope(scope: string): void {
  if (!scope.startsWith('/'))
    throw new ImageError('ERR_INVALID_ARGUMENT', `invalid scope ${scope}: must be an absolute path`);
  if (scope === '/') throw new ImageError('ERR_INVALID_ARGUMENT', 'invalid scope "/": use the default scope ""');
  const normalized = posix.normalize(scope);
  const clean = normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
  if (clean !== scope) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `invalid scope ${scope}: not canonical, perhaps try ${clean}`);
  }
}
