import type { RegistryCredentials } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { authFileToWrite } from './auth-file-paths.ts';
import { authKey, type CredentialTarget } from './auth-key.ts';
import { helperStore } from './credential-helper.ts';
import type { CredentialOptions } from './credential-options.ts';
import { encodeAuth } from './decode-auth-entry.ts';
import { editAuthFile } from './edit-auth-file.ts';
import { isIdentityToken } from './redacted-credentials.ts';

/**
 * Records credentials (`skopeo login`) in the containers auth file chosen by {@link authFileToWrite},
 * under the key `host` or `host/repository`. The entry becomes `{ "auth": base64("user:password") }`
 * (an identity token: `{ "auth": base64(":"), "identitytoken": … }`); every other key of the file is kept.
 * When the file names a `credHelpers` helper for the key, the secret goes to `docker-credential-NAME
 * store` instead and the file is left as is (a repository key is refused then: helpers only know hosts).
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for a bad key, a malformed file or a namespaced key on
 * a helper; `ERR_IO` when writing or the helper fails; an abort throws `signal.reason`.
 * @example
 * ```ts
 * await storeCredentials({ host: 'quay.io' }, passwordCredentials('alice', secret), { signal });
 * ```
 */
export async function storeCredentials(
  target: CredentialTarget,
  credentials: RegistryCredentials,
  options: CredentialOptions = {},
): Promise<void> {
  const { key, namespaced } = authKey(target);
  const path = await authFileToWrite(options);
  await editAuthFile(
    path,
    async ({ auths, credHelpers }) => {
      const helper = Object.hasOwn(credHelpers, key) ? credHelpers[key] : undefined;
      if (helper !== undefined) {
        if (namespaced) {
          throw new ImageError(
            'ERR_INVALID_ARGUMENT',
            `namespaced key ${key} is not supported for credential helper ${helper} (named in ${path})`,
          );
        }
        await helperStore(helper, key, credentials, options);
        return false;
      }
      auths[key] = isIdentityToken(credentials)
        ? { auth: encodeAuth('', ''), identitytoken: credentials.identityToken }
        : { auth: encodeAuth(credentials.username, credentials.password) };
      return true;
    },
    options,
  );
}
