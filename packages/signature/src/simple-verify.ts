import { type CallOptions, ImageError } from '@ferry/types';
import type { CleartextMessage, Key, KeyID, Message, PublicKey } from 'openpgp';
import { loadOpenPgp } from './openpgp-module.ts';
import { parseSimpleSigningPayload, type SimpleSigningPayload } from './simple-payload.ts';

export type { SimpleSigningPayload } from './simple-payload.ts';

/** A set of OpenPGP public keys to verify simple-signing signatures with, made by {@link readOpenPgpKeyring}. */
export interface OpenPgpKeyring {
  /** The primary keys' fingerprints, uppercase hex (as gpgme reports them), without duplicates. */
  readonly fingerprints: readonly string[];
  /** The parsed keys (openpgp.js objects; secret parts, if any were given, already dropped). */
  readonly keys: readonly PublicKey[];
}

/** What a verified simple-signing signature says, and who said it. */
export interface VerifiedSimpleSigning {
  /** The signed payload; trust it only as far as you trust the key. */
  readonly payload: SimpleSigningPayload;
  /** The fingerprint of the signing key's PRIMARY key (uppercase hex), even when a subkey signed. */
  readonly keyFingerprint: string;
}

/**
 * Reads OpenPGP public keys (binary or ASCII-armored; several keys per input, as `gpg --export` writes them)
 * into a keyring. Secret keys are accepted and reduced to their public part. An empty input holds no keys.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when an input is not OpenPGP key data.
 * @example
 * ```ts
 * const keyring = await readOpenPgpKeyring([await readFile('/etc/pki/containers/key.gpg')]);
 * keyring.fingerprints; // ['3D2C…']
 * ```
 */
export async function readOpenPgpKeyring(data: readonly Uint8Array[]): Promise<OpenPgpKeyring> {
  const keys: PublicKey[] = [];
  const fingerprints: string[] = [];
  for (const [index, bytes] of data.entries()) {
    for (const key of await readKeysFrom(bytes, index)) {
      const fingerprint = key.getFingerprint().toUpperCase();
      if (fingerprints.includes(fingerprint)) continue;
      fingerprints.push(fingerprint);
      keys.push(key.isPrivate() ? key.toPublic() : key);
    }
  }
  return { fingerprints, keys };
}

async function readKeysFrom(bytes: Uint8Array, index: number): Promise<Key[]> {
  if (bytes.byteLength === 0) return [];
  const text = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  const { readKeys } = await loadOpenPgp();
  try {
    return text.startsWith('-----BEGIN PGP')
      ? await readKeys({ armoredKeys: new TextDecoder().decode(bytes) })
      : await readKeys({ binaryKeys: bytes });
  } catch (cause) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `key data ${index + 1} is not OpenPGP key material: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/**
 * Verifies a simple-signing signature: an OpenPGP signed message carrying exactly one signature by a key
 * (or subkey) of `keyring`, valid when it was made and still valid now (neither expired nor revoked, as gpg
 * checks), whose content is a well-formed payload. It does not check the payload against an image: callers
 * compare `payload.manifestDigest` and `payload.dockerReference` themselves. Like skopeo 1.9 (gpgme), it also
 * accepts the ASCII-armored and cleartext-signed forms, although containers/image only ever writes binary.
 *
 * @throws {@link ImageError} `ERR_SIGNATURE_INVALID` on any failure, naming why.
 * @example
 * ```ts
 * const { payload, keyFingerprint } = await verifySimpleSigning(signature.bytes, keyring, { signal });
 * if (!matchesDigest(manifest, payload.manifestDigest)) throw new Error('signature is for another manifest');
 * ```
 */
export async function verifySimpleSigning(
  signature: Uint8Array,
  keyring: OpenPgpKeyring,
  options?: CallOptions,
): Promise<VerifiedSimpleSigning> {
  options?.signal?.throwIfAborted();
  const { CleartextMessage, verify } = await loadOpenPgp();
  const message = await readSignedMessage(signature);
  const keyIDs = message.getSigningKeyIDs();
  if (keyIDs.length !== 1) {
    // gpgme, which containers/image uses, accepts exactly one signature per message
    throw invalid(keyIDs.length === 0 ? 'the message is not signed' : `the message has ${keyIDs.length} signatures`);
  }
  const [issuer] = keyIDs;
  if (issuer !== undefined && !keyring.keys.some((key) => key.getKeys(issuer).length > 0)) {
    throw invalid(`signed by key ID ${issuer.toHex().toUpperCase()}, which is not a trusted key`);
  }
  let content: Uint8Array;
  let keyID: KeyID;
  try {
    const verificationKeys = [...keyring.keys];
    const result =
      message instanceof CleartextMessage
        ? await verify({ message, verificationKeys, expectSigned: true }).then((r) => ({
            ...r,
            data: new TextEncoder().encode(r.data),
          }))
        : await verify({ message, verificationKeys, expectSigned: true, format: 'binary' });
    const [only] = result.signatures;
    if (only === undefined || result.signatures.length !== 1) throw new Error('expected exactly one signature');
    await only.verified;
    content = result.data;
    keyID = only.keyID;
  } catch (cause) {
    options?.signal?.throwIfAborted();
    const why = (cause as Error).message.replace(/^Error verifying signed message: /, '');
    throw invalid(`signature by key ID ${issuer?.toHex().toUpperCase()} does not verify: ${why}`, cause);
  }
  options?.signal?.throwIfAborted();
  const primary = keyring.keys.find((key) => key.getKeys(keyID).length > 0);
  if (primary === undefined) throw invalid(`no key in the keyring has key ID ${keyID.toHex().toUpperCase()}`);
  const keyFingerprint = primary.getFingerprint().toUpperCase();
  try {
    // openpgp.js checks the key at the signature's creation time; gpg also refuses a key expired or revoked since
    await primary.getSigningKey(keyID, new Date());
  } catch (cause) {
    throw invalid(`key ${keyFingerprint} is not valid for signing now: ${(cause as Error).message}`, cause);
  }
  return { payload: parseSimpleSigningPayload(content), keyFingerprint };
}

// gpgme (skopeo 1.9) accepts binary, ASCII-armored and cleartext-signed messages alike
async function readSignedMessage(
  signature: Uint8Array,
): Promise<Message<Uint8Array> | Message<string> | CleartextMessage> {
  const head = new TextDecoder().decode(signature.subarray(0, 64)).trimStart();
  const { readCleartextMessage, readMessage } = await loadOpenPgp();
  try {
    if (head.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')) {
      return await readCleartextMessage({ cleartextMessage: new TextDecoder().decode(signature) });
    }
    if (head.startsWith('-----BEGIN PGP MESSAGE-----')) {
      return await readMessage({ armoredMessage: new TextDecoder().decode(signature) });
    }
    return await readMessage({ binaryMessage: signature });
  } catch (cause) {
    throw invalid(`not an OpenPGP message: ${(cause as Error).message}`, cause);
  }
}

function invalid(what: string, cause?: unknown): ImageError {
  return new ImageError('ERR_SIGNATURE_INVALID', `invalid simple-signing signature: ${what}`, { cause });
}
