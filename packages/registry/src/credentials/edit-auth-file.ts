import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeBytesAtomic } from '@ferry/blob';
import { ImageError } from '@ferry/types';
import { type AuthEntry, checkAuths, checkStringMap, readJsonObjectFile } from './auth-file.ts';
import type { CredentialOptions } from './credential-options.ts';

/** A containers auth file opened for editing: its whole JSON object, with `auths` and `credHelpers` checked. */
export interface EditableAuthFile {
  /** The file's object; keys other than `auths` and `credHelpers` are written back untouched. */
  readonly object: Record<string, unknown>;
  /** The `auths` map, part of `object` (edit it in place). */
  readonly auths: Record<string, AuthEntry>;
  /** The `credHelpers` map (read-only here; an empty object when absent). */
  readonly credHelpers: Readonly<Record<string, string>>;
}

/**
 * Reads `path` (an empty file when missing), lets `edit` change it, and, when `edit` returns `true`, writes
 * it back as podman does: tab-indented JSON, mode 0600, written beside the file and renamed over it, the
 * directory created with mode 0700 when missing.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for a malformed file, `ERR_IO` when it cannot be read or
 * written, or what `edit` throws; an abort throws `signal.reason`.
 */
export async function editAuthFile(
  path: string,
  edit: (file: EditableAuthFile) => Promise<boolean>,
  options: CredentialOptions,
): Promise<void> {
  const { signal } = options;
  const object = (await readJsonObjectFile(path, options)) ?? {};
  const auths = object.auths === undefined || object.auths === null ? {} : checkAuths(object.auths, path);
  object.auths = auths;
  const credHelpers = checkStringMap(object.credHelpers, path, 'credHelpers');
  if (!(await edit({ object, auths, credHelpers }))) return;
  signal?.throwIfAborted();
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ImageError('ERR_IO', `creating the directory of ${path} failed`, { cause: error });
  }
  const bytes = new TextEncoder().encode(`${JSON.stringify(object, null, '\t')}\n`);
  await writeBytesAtomic(path, bytes, { mode: 0o600, what: 'credentials file', ...(signal ? { signal } : {}) });
}
