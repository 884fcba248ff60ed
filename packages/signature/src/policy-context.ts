import { guessMediaType, matchesDigest } from '@ferry/manifest';
import {
  type CallOptions,
  type Digest,
  ImageError,
  type ImageSource,
  isImageError,
  type PolicyContext,
  type UnverifiedImage,
} from '@ferry/types';
import type { PolicyImage } from './policy-image.ts';
import { requirementsFor } from './policy-scopes.ts';
import type { Policy, PolicyRequirement, SignedByRequirement, SigstoreSignedRequirement } from './policy-types.ts';

/** The functions that judge signature requirements; each resolves to accept and throws to reject. */
export interface RequirementEvaluators {
  /** Judges a `signedBy` requirement. */
  readonly signedBy: (requirement: SignedByRequirement, image: PolicyImage, options?: CallOptions) => Promise<void>;
  /** Judges a `sigstoreSigned` requirement. */
  readonly sigstoreSigned: (
    requirement: SigstoreSignedRequirement,
    image: PolicyImage,
    options?: CallOptions,
  ) => Promise<void>;
}

/** Options of {@link createPolicyContext}. */
export interface PolicyContextOptions {
  /**
   * Replaces the signature evaluators, e.g. with test doubles.
   * @default this package's `evaluateSignedBy` and `evaluateSigstoreSigned`
   */
  readonly evaluators?: Partial<RequirementEvaluators>;
}

/**
 * Makes a {@link PolicyContext} that judges images by `policy`, as containers/image's `IsRunningImageAllowed`:
 * the requirements of the image's scope (see {@link requirementsFor}) must all accept it. When they are all
 * `insecureAcceptAnything` nothing is read from the source; a `reject` rejects without reading; otherwise the
 * manifest and signatures are read once, the manifest is checked against the instance digest (or the reference's
 * digest), and each signature requirement judges the same {@link PolicyImage}.
 *
 * @example
 * ```ts
 * const context = createPolicyContext(await loadPolicy());
 * await context.checkImageAllowed({ source }, { signal }); // throws ERR_POLICY_REJECTED with the reason
 * ```
 */
export function createPolicyContext(policy: Policy, options?: PolicyContextOptions): PolicyContext {
  const evaluators: RequirementEvaluators = {
    // loaded on first use: OpenPGP and the sigstore code are large, and most policies never need them
    signedBy:
      options?.evaluators?.signedBy ?? (async (...args) => (await import('./signed-by.ts')).evaluateSignedBy(...args)),
    sigstoreSigned:
      options?.evaluators?.sigstoreSigned ??
      (async (...args) => (await import('./sigstore-signed.ts')).evaluateSigstoreSigned(...args)),
  };
  return {
    checkImageAllowed: (image, callOptions) => checkImageAllowed(policy, evaluators, image, callOptions),
  };
}

async function checkImageAllowed(
  policy: Policy,
  evaluators: RequirementEvaluators,
  { source, instance }: UnverifiedImage,
  options: CallOptions | undefined,
): Promise<void> {
  const signal = options?.signal;
  signal?.throwIfAborted();
  const reference = source.reference;
  const description = `${reference.transport.name}:${reference.withinTransport}`;
  const requirements = requirementsFor(policy, reference);
  if (requirements.length === 0) {
    // parsePolicy never yields this; a hand-built policy might, and an empty list must not mean "accept"
    throw new ImageError('ERR_POLICY_REJECTED', `${description} rejected: the policy has no requirements for it`);
  }
  if (requirements.some((requirement) => requirement.type === 'reject')) {
    throw new ImageError('ERR_POLICY_REJECTED', `${description} is rejected by policy`);
  }
  const unimplemented = requirements.find((requirement) => requirement.type === 'unimplemented');
  if (unimplemented !== undefined) {
    throw new ImageError(
      'ERR_POLICY_REJECTED',
      `${description} is rejected: ${unimplemented.what} is not implemented (nor in containers/image)`,
    );
  }
  const signed = requirements.filter((requirement) => requirement.type !== 'insecureAcceptAnything');
  if (signed.length === 0) return;
  const image = await readPolicyImage(source, instance, description, options);
  for (const requirement of signed) {
    try {
      await evaluate(evaluators, requirement, image, options);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isImageError(error, 'ERR_POLICY_REJECTED')) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ImageError('ERR_POLICY_REJECTED', `${description} rejected by ${requirement.type}: ${reason}`, {
        cause: error,
      });
    }
  }
}

/** Reads the manifest and signatures once, checking the manifest against the digest it was asked for. */
async function readPolicyImage(
  source: ImageSource,
  instance: Digest | undefined,
  description: string,
  options: CallOptions | undefined,
): Promise<PolicyImage> {
  const manifest = await source.getManifest(instance, options);
  const expected = instance ?? source.reference.dockerReference?.digest;
  if (expected !== undefined) {
    let matches: boolean;
    try {
      matches = matchesDigest(manifest.bytes, expected);
    } catch (cause) {
      throw new ImageError('ERR_POLICY_REJECTED', `${description} rejected: its manifest cannot be digested`, {
        cause,
      });
    }
    if (!matches) {
      const cause = new ImageError('ERR_DIGEST_MISMATCH', `manifest of ${description} does not match ${expected}`);
      throw new ImageError('ERR_POLICY_REJECTED', `${description} rejected: ${cause.message}`, { cause });
    }
  }
  const signatures = (await source.getSignatures?.(instance, options)) ?? [];
  return {
    manifest: manifest.bytes,
    manifestMediaType: manifest.mediaType ?? guessMediaType(manifest.bytes),
    dockerReference: source.reference.dockerReference,
    signatures,
    description,
  };
}

function evaluate(
  evaluators: RequirementEvaluators,
  requirement: PolicyRequirement,
  image: PolicyImage,
  options: CallOptions | undefined,
): Promise<void> {
  switch (requirement.type) {
    case 'signedBy':
      return evaluators.signedBy(requirement, image, options);
    case 'sigstoreSigned':
      return evaluators.sigstoreSigned(requirement, image, options);
    case 'insecureAcceptAnything':
      return Promise.resolve();
    case 'reject':
      return Promise.reject(new ImageError('ERR_POLICY_REJECTED', `${image.description} is rejected by policy`));
    case 'unimplemented':
      return Promise.reject(
        new ImageError(
          'ERR_POLICY_REJECTED',
          `${image.description} is rejected: ${requirement.what} is not implemented (nor in containers/image)`,
        ),
      );
    default:
      return unknownRequirement(requirement, image);
  }
}

/** A requirement type this version does not know is a rejection, never an accept. */
function unknownRequirement(requirement: never, image: PolicyImage): Promise<void> {
  const type = JSON.stringify((requirement as { type?: unknown }).type);
  return Promise.reject(
    new ImageError('ERR_POLICY_REJECTED', `${image.description}: unknown requirement type ${type}`),
  );
}
