import { ImageError, type NamedReference, type Signature } from '@ferry/types';
import type { CopyContext } from './copy-context.ts';
import type { CopyResult } from './copy-options.ts';

/**
 * Refuses, before anything is written, signers whose signatures the destination cannot store, and a
 * destination without a Docker reference when no `signIdentity` says what to sign for.
 *
 * @throws {@link ImageError} `ERR_NOT_IMPLEMENTED` or `ERR_INVALID_ARGUMENT`.
 */
export function checkSigners(ctx: CopyContext): void {
  const signers = ctx.options.signers ?? [];
  if (signers.length === 0) return;
  const name = destinationName(ctx);
  const kinds = ctx.destination.traits.supportedSignatureKinds;
  const refused = signers.find((s) => !kinds.includes(s.kind));
  if (refused !== undefined) {
    throw new ImageError('ERR_NOT_IMPLEMENTED', `cannot sign: ${name} cannot store ${refused.kind} signatures`);
  }
  signIdentity(ctx);
}

/** Signs the manifest just written with every signer, in order. */
export async function newSignatures(ctx: CopyContext, written: CopyResult): Promise<readonly Signature[]> {
  const signers = ctx.options.signers ?? [];
  if (signers.length === 0) return [];
  const identity = signIdentity(ctx);
  const callOptions = ctx.signal === undefined ? {} : { signal: ctx.signal };
  const signatures: Signature[] = [];
  for (const signer of signers) {
    ctx.report(`Signing manifest using ${signer.kind === 'sigstore' ? 'a sigstore signature' : 'simple signing'}`);
    signatures.push(
      await signer.sign({ manifest: written.manifest, manifestDigest: written.digest, identity }, callOptions),
    );
  }
  return signatures;
}

function signIdentity(ctx: CopyContext): NamedReference {
  const identity = ctx.options.signIdentity ?? ctx.destination.reference.dockerReference;
  if (identity === undefined) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `cannot sign: ${destinationName(ctx)} has no Docker reference to sign for; give a sign identity`,
    );
  }
  return identity;
}

function destinationName(ctx: CopyContext): string {
  return `${ctx.destination.reference.transport.name}:${ctx.destination.reference.withinTransport}`;
}
