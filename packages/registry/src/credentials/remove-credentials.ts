import { ImageError } from '@ferry/types';
import { authFileToWrite } from './auth-file-paths.ts';
import { authKey, type CredentialTarget } from './auth-key.ts';
import { helperErase } from './credential-helper.ts';
import type { CredentialOptions } from './credential-options.ts';
import { editAuthFile } from './edit-auth-file.ts';

/** Options of {@link removeCredentials}. */
export interface RemoveCredentialsOptions extends CredentialOptions {
  /**
   * Remove every credential of the file, whatever the target (`skopeo logout --all`, see
   * {@link removeAllCredentials}).
   * @default false
   */
  readonly all?: boolean;
}

/**
 * Removes the credentials recorded for `host` or `host/repository` (`skopeo logout`) from the containers
 * auth file chosen by {@link authFileToWrite}: its `auths` entry, and the secret held by the file's
 * `credHelpers` helper for that host (`docker-credential-NAME erase`). Other keys are kept.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` with skopeo's message `not logged into KEY` when
 * nothing was recorded, or for a bad key or malformed file; `ERR_IO` when writing or a helper fails.
 * @example
 * ```ts
 * await removeCredentials({ host: 'quay.io' }, { signal });
 * ```
 */
export async function removeCredentials(
  target: CredentialTarget | undefined,
  options: RemoveCredentialsOptions = {},
): Promise<void> {
  if (options.all === true) return removeAllCredentials(options);
  if (target === undefined) throw new ImageError('ERR_INVALID_ARGUMENT', 'logging out needs a registry or all: true');
  const { key, namespaced } = authKey(target);
  const path = await authFileToWrite(options);
  let loggedIn = false;
  await editAuthFile(
    path,
    async ({ auths, credHelpers }) => {
      const helper = Object.hasOwn(credHelpers, key) ? credHelpers[key] : undefined;
      // helpers only know hosts: a repository key never erases a host's secret
      if (helper !== undefined && !namespaced && (await helperErase(helper, key, options))) loggedIn = true;
      if (!Object.hasOwn(auths, key)) return false;
      delete auths[key];
      loggedIn = true;
      return true;
    },
    options,
  );
  if (!loggedIn) throw new ImageError('ERR_INVALID_ARGUMENT', `not logged into ${key}`);
}

/**
 * Removes every credential from the containers auth file (`skopeo logout --all`): each `credHelpers`
 * helper erases its host's secret, then `auths` is emptied and `credHelpers` dropped, as containers/image
 * does; other keys are kept. Nothing recorded is not an error.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for a malformed file; `ERR_IO` when writing or a helper
 * fails; an abort throws `signal.reason`.
 * @example
 * ```ts
 * await removeAllCredentials({ authFile: '/tmp/auth.json' });
 * ```
 */
export async function removeAllCredentials(options: CredentialOptions = {}): Promise<void> {
  const path = await authFileToWrite(options);
  await editAuthFile(
    path,
    async ({ object, auths, credHelpers }) => {
      for (const [host, helper] of Object.entries(credHelpers)) await helperErase(helper, host, options);
      for (const key of Object.keys(auths)) delete auths[key];
      delete object.credHelpers;
      return true;
    },
    options,
  );
}
