import { createDigester, decompressStream, peekCompression, verifyStream } from '@ferry/blob';
import type { LayerInfo } from '@ferry/manifest';
import type { Digest } from '@ferry/types';
import type { CopyContext } from './copy-context.ts';
import { runAll } from './run-all.ts';

/**
 * The diff IDs (uncompressed digests) of layers, for converting a schema 1 manifest, which records none:
 * from the blob-info cache when known, else by reading and decompressing the layer once more.
 */
export async function layerDiffIds(ctx: CopyContext, layers: readonly LayerInfo[]): Promise<readonly Digest[]> {
  return runAll(
    layers.map(
      (layer) => async (signal) => (await ctx.cache.uncompressedDigest(layer.digest)) ?? diffIdOf(ctx, layer, signal),
    ),
    ctx.signal,
  );
}

async function diffIdOf(ctx: CopyContext, layer: LayerInfo, signal: AbortSignal): Promise<Digest> {
  const release = await ctx.semaphore.acquire(signal);
  try {
    const { stream } = await ctx.source.getBlob({ digest: layer.digest }, { signal, cache: ctx.cache });
    const verified = verifyStream(stream, { digest: layer.digest, signal, what: `blob ${layer.digest}` });
    const peeked = await peekCompression(verified, { signal });
    const plain =
      peeked.compression === 'none' ? peeked.stream : decompressStream(peeked.stream, peeked.compression, { signal });
    const digester = createDigester('sha256');
    for await (const chunk of plain) digester.update(chunk);
    const diffId = digester.finish().digest;
    await ctx.cache.recordUncompressedPair(layer.digest, diffId);
    return diffId;
  } finally {
    release();
  }
}
