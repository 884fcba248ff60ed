import { type CallOptions, ImageError, type ImageSigner, type Signature, type SigningInput } from '@ferry/types';
import type { PrivateKey } from 'openpgp';
import { loadOpenPgp } from './openpgp-module.ts';
import { simpleSigningPayloadFor } from './simple-sign-input.ts';

/** Options of {@link simpleSigner}. */
export interface SimpleSignerOptions {
  /** An OpenPGP secret key: binary, or ASCII-armored (as bytes or text), e.g. `gpg --export-secret-keys`. */
  readonly privateKey: Uint8Array | string;
  /** The key's passphrase, when it is encrypted. Never appears in an error message. */
  readonly passphrase?: string;
  /**
   * Which key to use when `privateKey` holds several: its fingerprint (or 16-digit key ID), any case.
   * @default the only key; several keys without this option are refused
   */
  readonly fingerprint?: string;
}

/**
 * Creates an in-process simple-signing signer (OpenPGP, openpgp.js): it signs containers/image's payload for
 * the identity and manifest digest as a binary OpenPGP signed message, as `gpg --sign` would. The key is read,
 * chosen and unlocked here, once, so that a bad key or passphrase fails before any copying starts.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when the data holds no secret key, several keys and no
 * `fingerprint`, an encrypted key and no or a wrong passphrase, or a key that cannot sign now.
 * @example
 * ```ts
 * const signer = await simpleSigner({ privateKey: await readFile('key.asc', 'utf8'), passphrase });
 * await copyImage(policy, dest, src, { signers: [signer] });
 * ```
 */
export async function simpleSigner(options: SimpleSignerOptions): Promise<ImageSigner> {
  const key = await unlock(chooseKey(await readSecretKeys(options.privateKey), options.fingerprint), options);
  const fingerprint = key.getFingerprint().toUpperCase();
  try {
    await key.getSigningKey();
  } catch (cause) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `key ${fingerprint} cannot sign: ${(cause as Error).message}`, {
      cause,
    });
  }
  return {
    kind: 'simple-signing',
    async sign(input: SigningInput, callOptions?: CallOptions): Promise<Signature> {
      callOptions?.signal?.throwIfAborted();
      const payload = simpleSigningPayloadFor(input, Date.now());
      const { createMessage, sign } = await loadOpenPgp();
      let bytes: Uint8Array;
      try {
        bytes = await sign({ message: await createMessage({ binary: payload }), signingKeys: key, format: 'binary' });
      } catch (cause) {
        throw new ImageError('ERR_INVALID_ARGUMENT', `signing with key ${fingerprint} failed`, { cause });
      }
      callOptions?.signal?.throwIfAborted();
      return { kind: 'simple-signing', bytes };
    },
  };
}

async function readSecretKeys(data: Uint8Array | string): Promise<PrivateKey[]> {
  const armored =
    typeof data === 'string' || new TextDecoder().decode(data.subarray(0, 64)).trimStart().startsWith('-----BEGIN PGP');
  const { readPrivateKeys } = await loadOpenPgp();
  try {
    if (!armored) return await readPrivateKeys({ binaryKeys: data as Uint8Array });
    return await readPrivateKeys({
      armoredKeys: typeof data === 'string' ? data : new TextDecoder().decode(data),
    });
  } catch (cause) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `the private key data holds no usable OpenPGP secret key: ${(cause as Error).message}`,
      { cause },
    );
  }
}

function chooseKey(keys: readonly PrivateKey[], wanted: string | undefined): PrivateKey {
  const list = keys.map((k) => k.getFingerprint().toUpperCase()).join(', ');
  if (wanted === undefined) {
    const [only] = keys;
    if (only === undefined || keys.length !== 1) {
      throw new ImageError(
        'ERR_INVALID_ARGUMENT',
        `the private key data holds ${keys.length} secret keys (${list}): choose one with the fingerprint option`,
      );
    }
    return only;
  }
  const normalized = wanted.replace(/\s+/g, '').toUpperCase().replace(/^0X/, '');
  const found = keys.filter((k) => {
    const fingerprint = k.getFingerprint().toUpperCase();
    return fingerprint === normalized || (normalized.length === 16 && fingerprint.endsWith(normalized));
  });
  const [match] = found;
  if (match === undefined || found.length !== 1) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `no single secret key ${wanted} among ${list}`);
  }
  return match;
}

async function unlock(key: PrivateKey, options: SimpleSignerOptions): Promise<PrivateKey> {
  const fingerprint = key.getFingerprint().toUpperCase();
  if (key.isDecrypted()) return key;
  if (options.passphrase === undefined || options.passphrase === '') {
    throw new ImageError('ERR_INVALID_ARGUMENT', `secret key ${fingerprint} is encrypted: a passphrase is needed`);
  }
  const { decryptKey } = await loadOpenPgp();
  try {
    return await decryptKey({ privateKey: key, passphrase: options.passphrase });
  } catch (cause) {
    // openpgp.js's message names no passphrase; keep it as the cause
    throw new ImageError('ERR_INVALID_ARGUMENT', `wrong passphrase for secret key ${fingerprint}`, { cause });
  }
}
