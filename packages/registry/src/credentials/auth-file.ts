import { open } from 'node:fs/promises';
import type { CallOptions } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import type { AuthFileKind } from './auth-file-paths.ts';

/** One `auths` entry as containers and Docker write it. */
export interface AuthEntry {
  /** base64 of `user:password`. */
  readonly auth?: string;
  /** An OAuth2 refresh token. */
  readonly identitytoken?: string;
}

/** The parts of a credentials file that matter for look-up, checked for type. */
export interface AuthFileContents {
  readonly auths: Readonly<Record<string, AuthEntry>>;
  readonly credHelpers: Readonly<Record<string, string>>;
  /** Docker's file-wide helper; only honoured in a Docker `config.json`. */
  readonly credsStore?: string;
}

// auth files are a few kilobytes; anything this big is not one
const AUTH_FILE_LIMIT = 4 * 1024 * 1024;

/**
 * Reads a credentials file as a JSON object, or `undefined` when it does not exist.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` naming the file (never quoting it) when it is not a
 * JSON object, `ERR_IO` when it cannot be read; an abort throws `signal.reason`.
 */
export async function readJsonObjectFile(
  path: string,
  options: CallOptions = {},
): Promise<Record<string, unknown> | undefined> {
  const text = await readSmallFile(path, options);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // the SyntaxError quotes the file, which holds secrets: keep only the position, drop the cause
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    const where = position === undefined ? '' : ` (at position ${position})`;
    throw new ImageError('ERR_INVALID_ARGUMENT', `credentials file ${path} is not valid JSON${where}`);
  }
  if (!isPlainObject(value)) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `credentials file ${path} does not hold a JSON object`);
  }
  return value;
}

/**
 * Reads and checks a credentials file of the given kind, or returns `undefined` when it does not exist.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when it is malformed, `ERR_IO` when unreadable.
 */
export async function readAuthFile(
  path: string,
  kind: AuthFileKind,
  options: CallOptions = {},
): Promise<AuthFileContents | undefined> {
  const object = await readJsonObjectFile(path, options);
  if (object === undefined) return undefined;
  if (kind === 'legacy') return { auths: checkAuths(object, path), credHelpers: {} };
  const auths = object.auths === undefined || object.auths === null ? {} : checkAuths(object.auths, path);
  const credHelpers = checkStringMap(object.credHelpers, path, 'credHelpers');
  const store = object.credsStore;
  if (store !== undefined && store !== null && typeof store !== 'string') {
    throw new ImageError('ERR_INVALID_ARGUMENT', `credentials file ${path}: "credsStore" is not a string`);
  }
  return { auths, credHelpers, ...(typeof store === 'string' && store !== '' ? { credsStore: store } : {}) };
}

/** Checks that `value` is the `auths` map: entries are objects whose `auth`/`identitytoken` are strings. */
export function checkAuths(value: unknown, path: string): Record<string, AuthEntry> {
  if (!isPlainObject(value)) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `credentials file ${path}: "auths" is not an object`);
  }
  for (const [key, entry] of Object.entries(value)) {
    const bad =
      !isPlainObject(entry) ||
      (entry.auth !== undefined && typeof entry.auth !== 'string') ||
      (entry.identitytoken !== undefined && typeof entry.identitytoken !== 'string');
    if (bad) {
      throw new ImageError(
        'ERR_INVALID_ARGUMENT',
        `credentials file ${path}: entry ${JSON.stringify(key)} is malformed`,
      );
    }
  }
  return value as Record<string, AuthEntry>;
}

/** Checks that `value` is absent or a map of strings (`credHelpers`). */
export function checkStringMap(value: unknown, path: string, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string')) {
    return value as Record<string, string>;
  }
  throw new ImageError(
    'ERR_INVALID_ARGUMENT',
    `credentials file ${path}: ${JSON.stringify(field)} is not a map of strings`,
  );
}

/** Tells whether `value` is a JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readSmallFile(path: string, options: CallOptions): Promise<string | undefined> {
  const { signal } = options;
  signal?.throwIfAborted();
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    if (size > AUTH_FILE_LIMIT) {
      throw new ImageError('ERR_TOO_LARGE', `credentials file ${path} is larger than ${AUTH_FILE_LIMIT} bytes`);
    }
    return await handle.readFile({ encoding: 'utf8', ...(signal === undefined ? {} : { signal }) });
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    if (isImageError(error)) throw error;
    const detail = (error as { code?: unknown }).code ?? 'error';
    throw new ImageError('ERR_IO', `reading credentials file ${path} failed (${String(detail)})`, { cause: error });
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
