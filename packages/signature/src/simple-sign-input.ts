import { ImageError, type SigningInput } from '@ferry/types';
import { encodeSimpleSigningPayload } from './simple-payload.ts';

/** The `optional.creator` Ferry writes into the payloads it signs. */
export const SIMPLE_SIGNING_CREATOR = 'ferry';

/**
 * The payload a simple signer signs for `input`: the identity's full text form, the manifest digest, Ferry as
 * the creator and the current time, as containers/image's `SignDockerManifest` builds it.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when the identity has neither a tag nor a digest
 * (containers/image refuses to sign such a reference).
 * @example
 * ```ts
 * const payload = simpleSigningPayloadFor(input, Date.now());
 * ```
 */
export function simpleSigningPayloadFor(input: SigningInput, now: number): Uint8Array {
  const { identity } = input;
  if (identity.tag === undefined && identity.digest === undefined) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `reference ${identity.toString()} cannot be signed: it has neither a tag nor a digest`,
    );
  }
  return encodeSimpleSigningPayload({
    dockerReference: identity.toString(),
    manifestDigest: input.manifestDigest,
    creator: SIMPLE_SIGNING_CREATOR,
    timestamp: Math.floor(now / 1000),
  });
}
