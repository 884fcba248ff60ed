import { type CallOptions, ImageError, type ImageSigner, type Signature, type SigningInput } from '@ferry/types';
import { exportGpgPublicKeys } from './gpg-keys.ts';
import { type GpgOptions, type GpgResult, PASSPHRASE_FD, runGpg, summarizeGpgStderr } from './gpg-process.ts';
import { simpleSigningPayloadFor } from './simple-sign-input.ts';
import { readOpenPgpKeyring, verifySimpleSigning } from './simple-verify.ts';

/** Options of {@link gpgSigner}. */
export interface GpgSignerOptions extends GpgOptions {
  /** The signing key, as gpg's `--local-user` takes it: normally its fingerprint. */
  readonly fingerprint: string;
  /**
   * The key's passphrase, given to gpg through a pipe with `--pinentry-mode loopback`. Without it gpg asks its
   * agent (a cached passphrase or a pinentry), as gpgme does. Never appears in an error message.
   */
  readonly passphrase?: string;
}

/**
 * Creates a simple-signing signer that runs GnuPG, as containers/image does through gpgme:
 * `gpg --batch --no-tty --sign --local-user FINGERPRINT` with the payload on standard input and a binary
 * signed message on standard output. Each signature is then verified against the key `gpg --export` gives,
 * so that a signature that would not verify is never returned.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for an empty fingerprint or a passphrase with a line break
 * (gpg reads one line). `sign` throws `ERR_INVALID_ARGUMENT` for an unknown key, a wrong or missing
 * passphrase, and `ERR_IO` when gpg is missing or fails otherwise, with gpg's diagnostics summarised.
 * @example
 * ```ts
 * const signer = gpgSigner({ fingerprint: '3D2C…', passphrase, homeDir: process.env.GNUPGHOME });
 * const signature = await signer.sign({ manifest, manifestDigest, identity }, { signal });
 * ```
 */
export function gpgSigner(options: GpgSignerOptions): ImageSigner {
  const { fingerprint } = options;
  if (fingerprint.trim() === '' || fingerprint.startsWith('-')) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `invalid gpg key fingerprint ${JSON.stringify(fingerprint)}`);
  }
  // containers/image treats an empty passphrase as none
  const passphrase = options.passphrase === '' ? undefined : options.passphrase;
  if (passphrase?.includes('\n') || passphrase?.includes('\r')) {
    throw new ImageError('ERR_INVALID_ARGUMENT', 'invalid passphrase: must not contain a line break');
  }
  const gpg: GpgOptions = {
    ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
    ...(options.gpgPath === undefined ? {} : { gpgPath: options.gpgPath }),
  };
  return {
    kind: 'simple-signing',
    async sign(input: SigningInput, callOptions?: CallOptions): Promise<Signature> {
      const signal = callOptions?.signal;
      const payload = simpleSigningPayloadFor(input, Date.now());
      const args = ['--sign', '--local-user', fingerprint];
      if (passphrase !== undefined) args.push('--pinentry-mode', 'loopback', '--passphrase-fd', `${PASSPHRASE_FD}`);
      const result = await runGpg(args, {
        ...gpg,
        input: payload,
        ...(passphrase === undefined ? {} : { passphrase }),
        ...(signal === undefined ? {} : { signal }),
      });
      if (result.exitCode !== 0 || result.stdout.byteLength === 0) throw signingError(fingerprint, result);
      await checkSignature(result.stdout, input, fingerprint, { ...gpg, ...(signal === undefined ? {} : { signal }) });
      return { kind: 'simple-signing', bytes: result.stdout };
    },
  };
}

function signingError(fingerprint: string, result: GpgResult): ImageError {
  const why = summarizeGpgStderr(result.stderr);
  const has = (prefix: string): boolean => result.status.some((line) => line.startsWith(prefix));
  if (has('INV_SGNR') || has('NO_SECKEY') || /no secret key/i.test(result.stderr)) {
    return new ImageError('ERR_INVALID_ARGUMENT', `gpg has no usable secret key ${fingerprint}: ${why}`);
  }
  if (has('BAD_PASSPHRASE') || /bad passphrase/i.test(result.stderr)) {
    return new ImageError('ERR_INVALID_ARGUMENT', `wrong passphrase for gpg key ${fingerprint}: ${why}`);
  }
  if (has('PINENTRY_LAUNCHED') || /pinentry|inappropriate ioctl|operation cancelled/i.test(result.stderr)) {
    return new ImageError('ERR_INVALID_ARGUMENT', `gpg key ${fingerprint} needs a passphrase: ${why}`);
  }
  return new ImageError('ERR_IO', `gpg --sign with key ${fingerprint} failed (exit ${result.exitCode}): ${why}`);
}

// containers/image verifies what gpgme produced before using it; so do we, with the key gpg itself holds
async function checkSignature(
  bytes: Uint8Array,
  input: SigningInput,
  fingerprint: string,
  options: GpgOptions & CallOptions,
): Promise<void> {
  const keyring = await readOpenPgpKeyring([await exportGpgPublicKeys([fingerprint], options)]);
  try {
    const { payload } = await verifySimpleSigning(bytes, keyring, options);
    if (payload.manifestDigest !== input.manifestDigest || payload.dockerReference !== input.identity.toString()) {
      throw new ImageError('ERR_SIGNATURE_INVALID', 'the signed payload is not the one given to gpg');
    }
  } catch (cause) {
    options.signal?.throwIfAborted();
    throw new ImageError(
      'ERR_SIGNATURE_INVALID',
      `gpg made a signature with key ${fingerprint} that does not verify: ${(cause as Error).message}`,
      { cause },
    );
  }
}
