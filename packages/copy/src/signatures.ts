import { type Digest, ImageError, type Signature } from '@ferry/types';
import type { CopyContext } from './copy-context.ts';

/**
 * The signatures to copy for the image (or `instance`): none with `removeSignatures`. When there are some
 * and the destination cannot store them, this fails before anything is written, as containers/image does.
 *
 * @throws {@link ImageError} `ERR_NOT_IMPLEMENTED` when the destination cannot store a signature's kind.
 */
export async function sourceSignatures(
  ctx: CopyContext,
  instance: Digest | undefined,
  what: 'image' | 'image list',
): Promise<readonly Signature[]> {
  if (ctx.options.removeSignatures === true) return [];
  ctx.report(what === 'image' ? 'Getting image source signatures' : 'Getting image list signatures');
  const signatures = await ctx.source.getSignatures(instance, ctx.signal === undefined ? {} : { signal: ctx.signal });
  if (signatures.length === 0) return signatures;
  ctx.report(`Checking if ${what} destination supports signatures`);
  const kinds = ctx.destination.traits.supportedSignatureKinds;
  const refused = signatures.find((s) => !kinds.includes(s.kind));
  if (refused !== undefined) {
    const name = `${ctx.destination.reference.transport.name}:${ctx.destination.reference.withinTransport}`;
    throw new ImageError(
      'ERR_NOT_IMPLEMENTED',
      `${name} cannot store ${refused.kind} signatures; copy with removeSignatures to drop them`,
    );
  }
  return signatures;
}
