import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type CallOptions, ImageError, isImageError } from '@ferry/types';
import { parsePolicy } from './parse-policy.ts';
import type { Policy } from './policy-types.ts';

/** The system-wide policy, used when the user has none. */
export const SYSTEM_POLICY_PATH = '/etc/containers/policy.json';
/** The per-user policy, relative to the home directory. */
const USER_POLICY_FILE = '.config/containers/policy.json';
/** A policy is a small document; anything larger is refused before it is read. */
const POLICY_LIMIT = 4 * 1024 * 1024;

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions extends CallOptions {
  /**
   * The policy file to read (skopeo's `--policy`).
   * @default `$HOME/.config/containers/policy.json` when it exists, else `/etc/containers/policy.json`
   */
  readonly path?: string;
  /**
   * The home directory the per-user policy is looked up in. containers/image uses `$HOME` and does not honour
   * `XDG_CONFIG_HOME` for `policy.json`; neither does Ferry.
   * @default `$HOME`, else the account's home directory
   */
  readonly homeDir?: string;
  /**
   * The directory relative key paths in the policy are resolved against (containers/image opens them
   * relative to the working directory).
   * @default `process.cwd()`
   */
  readonly baseDir?: string;
}

/**
 * Reads and parses the signature policy the way containers/image's `DefaultPolicy` finds it: the explicit `path`;
 * else `$HOME/.config/containers/policy.json` if it exists; else `/etc/containers/policy.json`. Relative key
 * paths in it are resolved against the working directory, as containers/image does.
 *
 * @throws {@link ImageError} `ERR_INVALID_POLICY` when the file is missing, unreadable or malformed (the message
 * names the file); an abort rejects with `signal.reason`.
 * @example
 * ```ts
 * const policy = await loadPolicy({ path: '/etc/containers/policy.json', signal });
 * const context = createPolicyContext(policy);
 * ```
 */
export async function loadPolicy(options?: LoadPolicyOptions): Promise<Policy> {
  const signal = options?.signal;
  signal?.throwIfAborted();
  const path = options?.path ?? (await defaultPolicyPath(options?.homeDir));
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (info.size > POLICY_LIMIT) throw new ImageError('ERR_TOO_LARGE', `over ${POLICY_LIMIT} bytes`);
    bytes = await readFile(path, signal === undefined ? {} : { signal });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const reason = isImageError(error) ? error.message : String((error as { code?: unknown }).code ?? error);
    throw new ImageError('ERR_INVALID_POLICY', `cannot read policy file ${path}: ${reason}`, { cause: error });
  }
  signal?.throwIfAborted();
  try {
    return parsePolicy(bytes, options?.baseDir === undefined ? {} : { baseDir: options.baseDir });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImageError('ERR_INVALID_POLICY', `invalid policy in ${path}: ${reason}`, { cause: error });
  }
}

/** containers/image's `defaultPolicyPath`: the user's policy if it exists, else the system's. */
async function defaultPolicyPath(homeDir: string | undefined): Promise<string> {
  const home = homeDir ?? (process.env.HOME || homedir());
  const userPath = join(home, USER_POLICY_FILE);
  try {
    await stat(userPath);
    return userPath;
  } catch {
    return SYSTEM_POLICY_PATH;
  }
}
