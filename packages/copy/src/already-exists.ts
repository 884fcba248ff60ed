import { manifestDigest } from '@ferry/manifest';
import type { Digest, ManifestBlob } from '@ferry/types';
import type { CopyContext } from './copy-context.ts';

/**
 * For `optimizeDestinationImageAlreadyExists`: the destination's manifest (or `instance`) when its digest is
 * `wanted`, else undefined. Any failure to read it just means "not there".
 */
export async function existingManifest(
  ctx: CopyContext,
  instance: Digest | undefined,
  wanted: Digest,
): Promise<ManifestBlob | undefined> {
  const { signal } = ctx;
  try {
    const reader = await ctx.destination.reference.newImageSource({
      ...ctx.options.destinationOptions,
      ...(signal === undefined ? {} : { signal }),
    });
    try {
      const found = await reader.getManifest(instance, signal === undefined ? {} : { signal });
      return manifestDigest(found.bytes) === wanted ? found : undefined;
    } finally {
      await reader[Symbol.asyncDispose]();
    }
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    void error;
    return undefined;
  }
}
