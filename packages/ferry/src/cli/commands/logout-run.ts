import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isNameOnly, parseNormalizedNamed } from '@ferry/reference';
import {
  type CredentialOptions,
  type CredentialTarget,
  removeAllCredentials,
  removeCredentials,
} from '@ferry/registry';
import { ImageError, isImageError } from '@ferry/types';
import type { CommandContext } from '../command.ts';
import type { ParsedArgs } from '../flags.ts';
import { UsageError } from '../usage-error.ts';
import { boolFlag, stringFlag } from './copy-options.ts';

/** What `login` and `logout` act on: the auth-file key and the registry it belongs to. */
export interface LoginTarget {
  /** `host` or `host/namespace/repository`, as written in the auth file. */
  readonly key: string;
  /** The key split into host and repository. */
  readonly credentials: CredentialTarget;
}

/**
 * Reads the one REGISTRY argument as containers/common does: a URL is reduced to its `host[:port]`, a key
 * with a path must be a repository name without tag or digest on that host.
 * @throws {@link UsageError} with skopeo's words when there is not exactly one; {@link ImageError}
 * `ERR_INVALID_REFERENCE` for a bad key.
 */
export function loginTarget(positionals: readonly string[], command: string, verb: string): LoginTarget {
  const [arg, ...extra] = positionals;
  if (arg === undefined) throw new UsageError(`please provide a registry to ${verb}`, command);
  if (extra.length > 0) throw new UsageError(`${command} accepts only one registry to ${verb}`, command);
  const key = /^https?:\/\//.test(arg) ? (arg.replace(/^https?:\/\//, '').split('/')[0] ?? '') : arg;
  const slash = key.indexOf('/');
  if (slash === -1) return { key, credentials: { host: key } };
  const host = key.slice(0, slash);
  let ref: ReturnType<typeof parseNormalizedNamed>;
  try {
    ref = parseNormalizedNamed(key);
  } catch (cause) {
    const message = isImageError(cause) ? cause.message : String(cause);
    throw new ImageError('ERR_INVALID_REFERENCE', `parse reference from ${JSON.stringify(key)}: ${message}`, { cause });
  }
  if (!isNameOnly(ref)) {
    throw new ImageError('ERR_INVALID_REFERENCE', `reference ${JSON.stringify(ref.toString())} contains tag or digest`);
  }
  if (ref.domain !== host) {
    // `myhost/app` would name docker.io/myhost/app: refuse rather than record a key no pull would use
    throw new ImageError(
      'ERR_INVALID_REFERENCE',
      `${JSON.stringify(key)} does not start with a registry host (${host} is read as a namespace on ${ref.domain})`,
    );
  }
  return { key, credentials: { host, repository: key.slice(slash + 1) } };
}

/** `--authfile` (resolved against the working directory) and the signal, for the credential functions. */
export function credentialOptionsFrom(args: ParsedArgs, cwd: string, signal: AbortSignal): CredentialOptions {
  const authFile = stringFlag(args, 'authfile');
  return { signal, ...(authFile !== undefined && { authFile: resolve(cwd, authFile) }) };
}

/** Runs `ferry logout` (see logout.ts for its flags); `--tls-verify` is accepted and unused, as in skopeo. */
export async function runLogout({ args, io, signal }: CommandContext): Promise<number> {
  const all = boolFlag(args, 'all');
  if (all && args.positionals.length > 0) throw new UsageError('--all takes no arguments', 'logout');
  const target = all ? undefined : loginTarget(args.positionals, 'logout', 'logout from');
  const options = credentialOptionsFrom(args, io.cwd, signal);
  // skopeo refuses a named auth file that does not exist rather than creating an empty one
  if (options.authFile !== undefined) await checkAuthFile(options.authFile, signal);
  if (target === undefined) {
    await removeAllCredentials(options);
    io.stdout('Removed login credentials for all registries\n');
  } else {
    await removeCredentials(target.credentials, options);
    io.stdout(`Removed login credentials for ${target.key}\n`);
  }
  return 0;
}

async function checkAuthFile(path: string, signal: AbortSignal): Promise<void> {
  try {
    await stat(path);
  } catch (cause) {
    if (signal.aborted) throw signal.reason;
    throw new ImageError('ERR_IO', `checking authfile: ${(cause as Error).message}`, { cause });
  }
}
