import { matchesDigest } from '@ferry/manifest';
import { type Digest, ImageError } from '@ferry/types';
import { matchesSignedIdentity } from './identity-matchers.ts';
import type { PolicyImage } from './policy-image.ts';
import type { SignedIdentity } from './policy-types.ts';

/**
 * Checks what a verified signature claims (simple signing or sigstore alike) against the image: the manifest
 * digest (schema 1 aware) and the identity under the requirement's `signedIdentity`.
 *
 * @throws {@link ImageError} `ERR_POLICY_REJECTED` naming the mismatch.
 */
export function checkSignedClaims(
  image: PolicyImage,
  signedIdentity: SignedIdentity,
  claims: { readonly manifestDigest: Digest; readonly dockerReference: string },
): void {
  if (!matchesDigest(image.manifest, claims.manifestDigest)) {
    throw new ImageError('ERR_POLICY_REJECTED', `signature for digest ${claims.manifestDigest} does not match`);
  }
  if (!matchesSignedIdentity(signedIdentity, image.dockerReference, claims.dockerReference)) {
    throw new ImageError(
      'ERR_POLICY_REJECTED',
      `signature for identity ${JSON.stringify(claims.dockerReference)} is not accepted (${signedIdentity.type})`,
    );
  }
}
