import { type CallOptions, ImageError, isImageError, type SimpleSigningSignature } from '@ferry/types';
import { readKeySource } from './key-source.ts';
import { fastVerifySimpleSigning } from './openpgp-fast-verify.ts';
import type { PolicyImage } from './policy-image.ts';
import type { SignedByRequirement } from './policy-types.ts';
import { checkSignedClaims } from './signed-payload-check.ts';
import { type OpenPgpKeyring, readOpenPgpKeyring, verifySimpleSigning } from './simple-verify.ts';

/**
 * Evaluates one `signedBy` requirement, as containers/image's `prSignedBy`: resolves when at least one of the
 * image's simple-signing signatures is made by one of the requirement's keys, signs this manifest's digest
 * (schema 1 aware) and claims an identity that `signedIdentity` accepts for the image. Signatures of other
 * kinds (sigstore) are skipped.
 *
 * @throws {@link ImageError} `ERR_POLICY_REJECTED` naming the image and each signature's reason (or that there
 * is none), also when the keys are not OpenPGP key material; `ERR_IO` when a key file cannot be read; the abort
 * reason on abort.
 * @example
 * ```ts
 * await evaluateSignedBy(
 *   { type: 'signedBy', keyType: 'GPGKeys', keys: { kind: 'path', path: '/etc/pki/key.gpg' },
 *     signedIdentity: { type: 'matchRepoDigestOrExact' } },
 *   image,
 *   { signal },
 * );
 * ```
 */
export async function evaluateSignedBy(
  requirement: SignedByRequirement,
  image: PolicyImage,
  options?: CallOptions,
): Promise<void> {
  options?.signal?.throwIfAborted();
  const keyData = await readKeySource(requirement.keys, options);
  // the common case, checked on node:crypto alone; anything it does not accept gets the full check below,
  // which gives the reason
  for (const signature of image.signatures) {
    if (signature.kind !== 'simple-signing') continue;
    const verified = fastVerifySimpleSigning(signature.bytes, keyData);
    if (verified === undefined) continue;
    try {
      checkSignedClaims(image, requirement.signedIdentity, verified.payload);
      return;
    } catch (error) {
      if (!isImageError(error)) throw error;
    }
  }
  const keyring = await loadKeyring(keyData, image);
  const reasons: string[] = [];
  for (const [index, signature] of image.signatures.entries()) {
    if (signature.kind !== 'simple-signing') continue;
    try {
      await checkSignature(requirement, image, signature, keyring, options);
      return;
    } catch (error) {
      if (options?.signal?.aborted) throw options.signal.reason;
      if (!isImageError(error)) throw error;
      reasons.push(`signature ${index + 1}: ${error.message}`);
    }
  }
  const subject = `${image.description} rejected by signedBy`;
  if (reasons.length === 0) {
    throw new ImageError('ERR_POLICY_REJECTED', `${subject}: a signature was required, but no signature exists`);
  }
  const summary = reasons.length === 1 ? reasons[0] : `none of the signatures were accepted: ${reasons.join('; ')}`;
  throw new ImageError('ERR_POLICY_REJECTED', `${subject}: ${summary}`);
}

async function loadKeyring(data: readonly Uint8Array[], image: PolicyImage): Promise<OpenPgpKeyring> {
  let keyring: OpenPgpKeyring;
  try {
    keyring = await readOpenPgpKeyring(data);
  } catch (cause) {
    throw new ImageError(
      'ERR_POLICY_REJECTED',
      `${image.description} rejected by signedBy: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (keyring.fingerprints.length === 0) {
    throw new ImageError('ERR_POLICY_REJECTED', `${image.description} rejected by signedBy: no public keys imported`);
  }
  return keyring;
}

async function checkSignature(
  requirement: SignedByRequirement,
  image: PolicyImage,
  signature: SimpleSigningSignature,
  keyring: OpenPgpKeyring,
  options: CallOptions | undefined,
): Promise<void> {
  const { payload } = await verifySimpleSigning(signature.bytes, keyring, options);
  checkSignedClaims(image, requirement.signedIdentity, payload);
}
