import { type CallOptions, ImageError, isImageError, type SigstoreSignature } from '@ferry/types';
import { readKeySource } from './key-source.ts';
import type { PolicyImage } from './policy-image.ts';
import type { SigstoreSignedRequirement } from './policy-types.ts';
import { checkSignedClaims } from './signed-payload-check.ts';
import { SIGSTORE_PAYLOAD_MEDIA_TYPE } from './sigstore-annotations.ts';
import { type SigstoreTrust, verifySigstoreSignature } from './sigstore-verify.ts';

/**
 * Evaluates one `sigstoreSigned` requirement, as containers/image's `prSigstoreSigned`: resolves when at least
 * one of the image's sigstore signatures (media type `application/vnd.dev.cosign.simplesigning.v1+json`)
 * verifies with the requirement's public keys or Fulcio CA (and Rekor keys), signs this manifest's digest
 * (schema 1 aware) and claims an identity that `signedIdentity` accepts for the image. Simple-signing
 * signatures and other sigstore attachments are skipped.
 *
 * @throws {@link ImageError} `ERR_POLICY_REJECTED` naming the image and each signature's reason (or that there
 * is none), also when the trust material is unusable; what `readKeySource` throws for unreadable key files;
 * the abort reason on abort.
 * @example
 * ```ts
 * await evaluateSigstoreSigned(
 *   { type: 'sigstoreSigned', keys: { kind: 'path', path: '/etc/pki/cosign.pub' },
 *     signedIdentity: { type: 'matchRepoDigestOrExact' } },
 *   image,
 *   { signal },
 * );
 * ```
 */
export async function evaluateSigstoreSigned(
  requirement: SigstoreSignedRequirement,
  image: PolicyImage,
  options?: CallOptions,
): Promise<void> {
  const subject = `${image.description} rejected by sigstoreSigned`;
  const candidates = image.signatures.flatMap((signature, index) =>
    signature.kind === 'sigstore' && signature.mediaType === SIGSTORE_PAYLOAD_MEDIA_TYPE ? [{ signature, index }] : [],
  );
  if (candidates.length === 0) {
    const others = image.signatures.length;
    const detail = others === 0 ? '' : ` (${others} signatures of other kinds or attachments)`;
    throw new ImageError(
      'ERR_POLICY_REJECTED',
      `${subject}: a signature was required, but no signature exists${detail}`,
    );
  }
  const trust = await loadTrust(requirement, options);
  const reasons: string[] = [];
  for (const { signature, index } of candidates) {
    options?.signal?.throwIfAborted();
    try {
      checkSignature(requirement, image, signature, trust);
      return;
    } catch (error) {
      if (!isImageError(error)) throw error;
      if (error.code === 'ERR_INVALID_POLICY') {
        throw new ImageError('ERR_POLICY_REJECTED', `${subject}: ${error.message}`, { cause: error });
      }
      reasons.push(`signature ${index + 1}: ${error.message}`);
    }
  }
  const summary = reasons.length === 1 ? reasons[0] : `none of the signatures were accepted: ${reasons.join('; ')}`;
  throw new ImageError('ERR_POLICY_REJECTED', `${subject}: ${summary}`);
}

async function loadTrust(
  requirement: SigstoreSignedRequirement,
  options: CallOptions | undefined,
): Promise<SigstoreTrust> {
  const { keys, fulcio, rekorPublicKeys } = requirement;
  const rekor = rekorPublicKeys === undefined ? undefined : await readKeySource(rekorPublicKeys, options);
  return {
    ...(keys !== undefined ? { publicKeys: await readKeySource(keys, options) } : {}),
    ...(fulcio !== undefined
      ? {
          fulcio: {
            caCertificates: await readKeySource(fulcio.ca, options),
            oidcIssuer: fulcio.oidcIssuer,
            subjectEmail: fulcio.subjectEmail,
          },
        }
      : {}),
    ...(rekor !== undefined ? { rekorPublicKeys: rekor } : {}),
  };
}

function checkSignature(
  requirement: SigstoreSignedRequirement,
  image: PolicyImage,
  signature: SigstoreSignature,
  trust: SigstoreTrust,
): void {
  checkSignedClaims(image, requirement.signedIdentity, verifySigstoreSignature(signature, trust));
}
