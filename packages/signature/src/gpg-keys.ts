import { type CallOptions, ImageError } from '@ferry/types';
import { type GpgOptions, runGpg, summarizeGpgStderr } from './gpg-process.ts';

/** Options of {@link exportGpgPublicKeys}. */
export interface ExportGpgPublicKeysOptions extends GpgOptions, CallOptions {}

/**
 * Exports public keys from the user's GnuPG keyring (`gpg --export`), binary, for
 * {@link readOpenPgpKeyring}. This is how `standalone-verify` trusts the keys of the GnuPG keyring, as
 * skopeo does.
 *
 * @param fingerprints Key specifications gpg understands: fingerprints, normally. Never empty (an empty list
 * would export the whole keyring).
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for an empty list or when gpg exports nothing (no such key);
 * `ERR_IO` when gpg is missing or fails.
 * @example
 * ```ts
 * const keyring = await readOpenPgpKeyring([await exportGpgPublicKeys([fingerprint], { signal })]);
 * ```
 */
export async function exportGpgPublicKeys(
  fingerprints: readonly string[],
  options: ExportGpgPublicKeysOptions = {},
): Promise<Uint8Array> {
  if (fingerprints.length === 0 || fingerprints.some((f) => f.trim() === '')) {
    throw new ImageError('ERR_INVALID_ARGUMENT', 'no key fingerprint given to export');
  }
  const result = await runGpg(['--export', '--', ...fingerprints], options);
  const wanted = fingerprints.join(', ');
  if (result.stdout.byteLength === 0) {
    // gpg exits 0 for an unknown fingerprint and 2 for a malformed one; either way the key is not there
    const why = result.exitCode === 0 ? '' : ` (${summarizeGpgStderr(result.stderr)})`;
    throw new ImageError('ERR_INVALID_ARGUMENT', `no public key ${wanted} in the GnuPG keyring${why}`);
  }
  if (result.exitCode !== 0) {
    throw new ImageError(
      'ERR_IO',
      `gpg --export ${wanted} failed (exit ${result.exitCode}): ${summarizeGpgStderr(result.stderr)}`,
    );
  }
  return result.stdout;
}
