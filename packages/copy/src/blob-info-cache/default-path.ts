import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The file name of the cache; the version changes with any incompatible change of its format. */
export const BLOB_INFO_CACHE_FILE_NAME = 'blob-info-cache-v1.jsonl';

/**
 * Where the persistent blob-info cache lives by default: `$XDG_CACHE_HOME/ferry/blob-info-cache-v1.jsonl`
 * when `XDG_CACHE_HOME` is set to an absolute path (the XDG rule), else `~/.cache/ferry/…`.
 *
 * @param env - The environment to read; `process.env` when omitted.
 * @param home - The home directory; `os.homedir()` when omitted.
 * @example
 * ```ts
 * defaultBlobInfoCachePath({ XDG_CACHE_HOME: '/var/cache/me' }); // '/var/cache/me/ferry/blob-info-cache-v1.jsonl'
 * ```
 */
export function defaultBlobInfoCachePath(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.cache');
  return join(base, 'ferry', BLOB_INFO_CACHE_FILE_NAME);
}
