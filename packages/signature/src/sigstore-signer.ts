import { type KeyObject, sign } from 'node:crypto';
import { type CallOptions, ImageError, type ImageSigner, type Signature, type SigningInput } from '@ferry/types';
import { decryptCosignPrivateKey } from './cosign-private-key.ts';
import { SIGSTORE_PAYLOAD_MEDIA_TYPE, SIGSTORE_SIGNATURE_ANNOTATION } from './sigstore-annotations.ts';
import { encodeSigstorePayload } from './sigstore-payload.ts';

/** Options of {@link sigstoreSigner}. */
export interface SigstoreSignerOptions {
  /** A cosign private key file (`ENCRYPTED COSIGN PRIVATE KEY` PEM), as bytes or text. */
  readonly privateKey: Uint8Array | string;
  /** The key's passphrase (skopeo's `--sign-passphrase-file`). */
  readonly passphrase: string;
  /**
   * The `optional.creator` recorded in payloads.
   * @default 'ferry'
   */
  readonly creator?: string;
  /**
   * The clock for `optional.timestamp`, in milliseconds since the epoch.
   * @default Date.now
   */
  readonly now?: () => number;
}

/**
 * Creates a signer that makes sigstore signatures with a cosign private key, as skopeo's
 * `--sign-by-sigstore-private-key` does: a cosign simple-signing payload for the identity and manifest
 * digest, signed with the key (ECDSA and RSA keys hash with SHA-256; Ed25519 signs the payload itself).
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when the key cannot be decrypted; `sign` throws it for
 * an identity with neither tag nor digest.
 * @example
 * ```ts
 * const signer = await sigstoreSigner({ privateKey: await readFile('cosign.key'), passphrase });
 * await copyImage(policy, dest, src, { signers: [signer] });
 * ```
 */
export async function sigstoreSigner(options: SigstoreSignerOptions): Promise<ImageSigner> {
  const key = await decryptCosignPrivateKey(options.privateKey, options.passphrase);
  if (!['ec', 'rsa', 'ed25519'].includes(String(key.asymmetricKeyType))) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `unsupported sigstore key type ${String(key.asymmetricKeyType)}`);
  }
  const creator = options.creator ?? 'ferry';
  const now = options.now ?? Date.now;
  return {
    kind: 'sigstore',
    async sign(input: SigningInput, callOptions: CallOptions = {}): Promise<Signature> {
      callOptions.signal?.throwIfAborted();
      const { identity } = input;
      if (identity.tag === undefined && identity.digest === undefined) {
        throw new ImageError(
          'ERR_INVALID_ARGUMENT',
          `reference ${identity.toString()} can't be signed, it has neither a tag nor a digest`,
        );
      }
      const payload = encodeSigstorePayload({
        dockerReference: identity.toString(),
        manifestDigest: input.manifestDigest,
        creator,
        timestamp: Math.floor(now() / 1000),
      });
      return {
        kind: 'sigstore',
        mediaType: SIGSTORE_PAYLOAD_MEDIA_TYPE,
        payload,
        annotations: { [SIGSTORE_SIGNATURE_ANNOTATION]: signPayload(key, payload).toString('base64') },
      };
    },
  };
}

/** Signs payload bytes as sigstore's signers do: SHA-256 for ECDSA (DER) and RSA (PKCS #1 v1.5), pure Ed25519. */
function signPayload(key: KeyObject, payload: Uint8Array): Buffer {
  return sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', payload, key);
}
