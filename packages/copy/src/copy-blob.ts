import { setTimeout as delay } from 'node:timers/promises';
import { compressStream, decompressStream, peekCompression, verifyStream } from '@ferry/blob';
import type { BlobInfo, ByteStream, CompressionAlgorithm, Digest, PutBlobInfo, StoredBlob } from '@ferry/types';
import { ImageError, isImageError, isTransientError } from '@ferry/types';

import type { CopyContext } from './copy-context.ts';
import { compressionAfter, type LayerStep, layerStep, requiredCompression } from './layer-plan.ts';
import { countingStream, OwnedStream } from './progress-stream.ts';

/** One blob to copy. */
export interface BlobJob {
  /** The blob as the source manifest describes it. */
  readonly info: BlobInfo;
  readonly isConfig: boolean;
  readonly layerIndex?: number;
  readonly emptyLayer?: boolean;
  /** Whether the blob's compression may change (a layer of a known type, in a manifest that may change). */
  readonly canModify: boolean;
  /** The list instance, for progress events. */
  readonly instance: Digest | undefined;
  /** Manifest types the result may be written into, for reuse hints. */
  readonly possibleManifestMediaTypes: readonly string[];
}

/** The blob as stored at the destination. */
export interface CopiedBlob extends StoredBlob {
  /** The blob's compression when it differs from the source's (recompressed or a substitute). */
  readonly compression: CompressionAlgorithm | 'none' | undefined;
  /** Whether the destination reused it without a transfer. */
  readonly reused: boolean;
}

/** Copies one blob under the copy's limits: reuse when the destination can, else stream it through. */
export async function copyBlob(ctx: CopyContext, job: BlobJob): Promise<CopiedBlob> {
  const releaseWrite = await ctx.writeLock?.acquire(ctx.signal);
  try {
    ctx.report(`Copying ${job.isConfig ? 'config' : 'blob'} ${job.info.digest}`);
    const transferId = ctx.nextTransferId();
    const base = {
      artifact: job.info,
      transferId,
      ...(job.instance === undefined ? {} : { instance: job.instance }),
    };
    const releaseProbe = await ctx.probes.acquire(ctx.signal);
    let reused: CopiedBlob | undefined;
    try {
      reused = await tryReuse(ctx, job);
    } finally {
      releaseProbe();
    }
    if (reused !== undefined) {
      ctx.emit({ type: 'skipped', ...base });
      return reused;
    }
    const release = await ctx.semaphore.acquire(ctx.signal);
    try {
      ctx.emit({ type: 'start', ...base });
      const copied = await withBlobRetry(ctx, job, () =>
        streamBlob(ctx, job, (offset, delta) => ctx.emit({ type: 'read', ...base, offset, delta })),
      ).catch((error: unknown) => {
        throw namingTheBlob(error, job);
      });
      ctx.emit({ type: 'done', ...base, offset: copied.read });
      return copied.blob;
    } finally {
      release();
    }
  } finally {
    releaseWrite?.();
  }
}

// Copies a blob again from the start (a fresh source stream) after a transient failure, with doubling
// delays; the destination discarded what it had of the failed attempt.
async function withBlobRetry<T>(ctx: CopyContext, job: BlobJob, attempt: () => Promise<T>): Promise<T> {
  const times = ctx.options.blobRetry?.times ?? 3;
  const delayMs = ctx.options.blobRetry?.delayMs ?? 1000;
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (ctx.signal?.aborted || retry >= times || !isTransientError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      ctx.report(`Retrying blob ${job.info.digest} (${retry + 1}/${times}) after: ${message}`);
      await delay(delayMs * 2 ** retry, undefined, ctx.signal === undefined ? {} : { signal: ctx.signal }).catch(
        (cause: unknown) => {
          throw ctx.signal?.aborted ? ctx.signal.reason : cause;
        },
      );
    }
  }
}

async function tryReuse(ctx: CopyContext, job: BlobJob): Promise<CopiedBlob | undefined> {
  const required = job.isConfig || !job.canModify ? undefined : requiredCompression(ctx.layerWish);
  const result = await ctx.destination.tryReusingBlob(job.info, {
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    ...(job.layerIndex === undefined ? {} : { layerIndex: job.layerIndex }),
    ...(job.emptyLayer === true ? { emptyLayer: true } : {}),
    // a substitute is welcome only when the manifest may change, and then only with a demanded compression
    canSubstitute: job.canModify,
    ...(required === undefined ? {} : { requiredCompression: required }),
    sourceReference: ctx.source.reference,
    possibleManifestMediaTypes: job.possibleManifestMediaTypes,
    cache: ctx.cache,
  });
  if (result === undefined) return undefined;
  const substituted = result.digest !== job.info.digest;
  const compression = substituted ? result.compression : undefined;
  if (substituted && (compression === undefined || !job.canModify)) return undefined;
  // the original blob does not satisfy a demanded compression: it must be converted after all
  if (required !== undefined && (compression ?? job.info.compression ?? 'unknown') !== required) return undefined;
  return { digest: result.digest, size: result.size, compression, reused: true };
}

// a decoder can fail before the digest check at the end of the stream: say which blob it was
function namingTheBlob(error: unknown, job: BlobJob): unknown {
  if (!isImageError(error, 'ERR_CORRUPT_COMPRESSED_DATA') || error.message.includes(job.info.digest)) return error;
  return new ImageError(error.code, `blob ${job.info.digest}: ${error.message}`, { cause: error });
}

interface StreamedBlob {
  readonly blob: CopiedBlob;
  /** Bytes read from the source. */
  readonly read: number;
}

async function streamBlob(
  ctx: CopyContext,
  job: BlobJob,
  onRead: (offset: number, delta: number) => void,
): Promise<StreamedBlob> {
  const { signal } = ctx;
  const callOptions = signal === undefined ? {} : { signal };
  const { stream: raw } = await ctx.source.getBlob(job.info, { ...callOptions, cache: ctx.cache });
  const counted = countingStream(raw, ctx.options.progressInterval ?? 100, onRead);
  const verified = verifyStream(counted.stream, {
    digest: job.info.digest,
    ...(job.info.size === undefined ? {} : { size: job.info.size }),
    ...callOptions,
    what: `blob ${job.info.digest}`,
  });
  let owned = new OwnedStream(verified);
  let releaseCpu: (() => void) | undefined;
  try {
    let step: LayerStep = { kind: 'keep' };
    let detected: CompressionAlgorithm | 'none' | undefined;
    if (job.canModify && ctx.layerWish.kind !== 'preserve') {
      const peeked = await peekCompression(owned, callOptions);
      detected = peeked.compression;
      step = layerStep(ctx.layerWish, detected);
      if (step.kind !== 'keep') releaseCpu = await acquireCpu(ctx, step, signal);
      owned = new OwnedStream(transform(peeked.stream, step, signal));
    }
    const info = putInfo(job.info, step, detected);
    const stored = await ctx.destination.putBlob(owned, info, {
      ...callOptions,
      isConfig: job.isConfig,
      // the bytes pass unchanged through the verifying stream: the destination need not hash them again
      ...(step.kind === 'keep' && info.digest === job.info.digest ? { verifiedByCaller: true } : {}),
      ...(job.layerIndex === undefined ? {} : { layerIndex: job.layerIndex }),
      ...(job.emptyLayer === true ? { emptyLayer: true } : {}),
      cache: ctx.cache,
    });
    if (verified.result === undefined) {
      throw new ImageError('ERR_IO', `the destination stored blob ${job.info.digest} without reading all of it`);
    }
    await recordFacts(ctx, job.info.digest, stored.digest, step, detected);
    const compression = compressionAfter(step);
    return { blob: { digest: stored.digest, size: stored.size, compression, reused: false }, read: counted.flush() };
  } finally {
    releaseCpu?.();
    await owned.close().catch(() => undefined);
  }
}

// a (de)compression slot, and for a zstd compressor also one of the (fewer) zstd slots
async function acquireCpu(ctx: CopyContext, step: LayerStep, signal: AbortSignal | undefined): Promise<() => void> {
  const releaseCpu = await ctx.cpu.acquire(signal);
  if ((step.kind !== 'compress' && step.kind !== 'recompress') || step.to !== 'zstd') return releaseCpu;
  try {
    const releaseZstd = await ctx.zstdCompressors.acquire(signal);
    return () => {
      releaseZstd();
      releaseCpu();
    };
  } catch (error) {
    releaseCpu();
    throw error;
  }
}

// gzip level 1: on the benchmark images its output is still smaller than skopeo's default (pgzip) output,
// and it is the only level fast enough to keep up with skopeo on two cores; zstd keeps the codec's default
const DEFAULT_LEVELS: Readonly<Record<'gzip' | 'zstd', number | undefined>> = { gzip: 1, zstd: undefined };

function levelOption(to: 'gzip' | 'zstd', level: number | undefined): { level?: number } {
  const chosen = level ?? DEFAULT_LEVELS[to];
  return chosen === undefined ? {} : { level: chosen };
}

function transform(stream: ByteStream, step: LayerStep, signal: AbortSignal | undefined): ByteStream {
  const callOptions = signal === undefined ? {} : { signal };
  switch (step.kind) {
    case 'keep':
      return stream;
    case 'decompress':
      return decompressStream(stream, step.from, callOptions);
    case 'compress':
      return compressStream(stream, step.to, { ...callOptions, ...levelOption(step.to, step.level) });
    case 'recompress':
      return compressStream(decompressStream(stream, step.from, callOptions), step.to, {
        ...callOptions,
        ...levelOption(step.to, step.level),
      });
  }
}

// unchanged bytes keep their digest, which the destination verifies again; changed ones are digested there
function putInfo(info: BlobInfo, step: LayerStep, detected: CompressionAlgorithm | 'none' | undefined): PutBlobInfo {
  if (step.kind === 'keep') {
    const { compression: _, ...rest } = info;
    return detected === undefined ? rest : { ...rest, compression: detected };
  }
  return { compression: compressionAfter(step) ?? 'none' };
}

async function recordFacts(
  ctx: CopyContext,
  source: Digest,
  stored: Digest,
  step: LayerStep,
  detected: CompressionAlgorithm | 'none' | undefined,
): Promise<void> {
  // only facts verified here: the source digest was checked while streaming, the stored one computed by the destination
  if (detected === undefined) return;
  await ctx.cache.recordCompression(source, detected);
  if (step.kind === 'keep' && detected === 'none') await ctx.cache.recordUncompressedPair(source, source);
  if (step.kind === 'decompress') await ctx.cache.recordUncompressedPair(source, stored);
  if (step.kind === 'compress') await ctx.cache.recordUncompressedPair(stored, source);
  const after = compressionAfter(step);
  if (after !== undefined) await ctx.cache.recordCompression(stored, after);
}
