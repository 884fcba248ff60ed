import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where named lists are stored by default: `$XDG_DATA_HOME/ferry/manifest-lists`, else
 * `$HOME/.local/share/ferry/manifest-lists` (a relative `XDG_DATA_HOME` is ignored, as the XDG base
 * directory specification asks; without `HOME`, the user's home directory from the system is used).
 *
 * @example
 * ```ts
 * defaultListStoreRoot({ HOME: '/home/ada' }); // '/home/ada/.local/share/ferry/manifest-lists'
 * ```
 */
export function defaultListStoreRoot(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'ferry', 'manifest-lists');
  const home = env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir();
  return join(home, '.local', 'share', 'ferry', 'manifest-lists');
}
