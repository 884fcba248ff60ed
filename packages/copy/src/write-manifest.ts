import { readLimited, verifyStream } from '@ferry/blob';
import { type ImageConfig, type ImageManifest, parseImageConfig } from '@ferry/manifest';
import { type Digest, ImageError, isImageError, MANIFEST_LIMIT } from '@ferry/types';
import { buildManifest } from './build-manifest.ts';
import type { CopiedBlob } from './copy-blob.ts';
import type { CopyContext } from './copy-context.ts';
import type { CopyResult } from './copy-options.ts';
import { isSchema1Type } from './manifest-plan.ts';

/** What {@link writeImageManifest} writes. */
export interface ManifestWrite {
  readonly source: ImageManifest;
  readonly layers: readonly CopiedBlob[];
  /** Types to try, in order. */
  readonly candidates: readonly string[];
  readonly asInstance: boolean;
  readonly cannotModify: string | undefined;
  readonly diffIds?: readonly Digest[];
}

/**
 * Builds and stores the image's manifest, trying each candidate type in turn when the conversion is
 * impossible or the destination rejects the type (`ERR_MANIFEST_TYPE_REJECTED`), as containers/image does.
 *
 * @throws {@link ImageError} the only failure when there was one candidate; otherwise
 * `ERR_MANIFEST_TYPE_REJECTED` listing every attempt.
 */
export async function writeImageManifest(ctx: CopyContext, write: ManifestWrite): Promise<CopyResult> {
  const failures: { type: string; error: unknown }[] = [];
  let config: ImageConfig | undefined;
  for (const type of write.candidates) {
    try {
      if (isSchema1Type(type) && write.source.kind !== 'docker-schema1') config ??= await readConfig(ctx, write.source);
      return await writeAs(ctx, write, type, config);
    } catch (error) {
      if (!isImageError(error, 'ERR_MANIFEST_TYPE_REJECTED') && !isImageError(error, 'ERR_MANIFEST_CONVERSION'))
        throw error;
      failures.push({ type, error });
      if (write.cannotModify !== undefined) {
        throw new ImageError('ERR_MANIFEST_CONVERSION', `writing the manifest failed and ${write.cannotModify}`, {
          cause: error,
        });
      }
    }
  }
  if (failures.length === 1) throw failures[0]?.error;
  const attempts = failures.map((f) => `${f.type} (${(f.error as Error).message})`).join(', ');
  const allRejected = failures.every((f) => isImageError(f.error, 'ERR_MANIFEST_TYPE_REJECTED'));
  throw new ImageError(
    allRejected ? 'ERR_MANIFEST_TYPE_REJECTED' : 'ERR_MANIFEST_CONVERSION',
    `writing the manifest failed for every type tried: ${attempts}`,
    { cause: failures.at(-1)?.error },
  );
}

async function writeAs(
  ctx: CopyContext,
  write: ManifestWrite,
  type: string,
  config: ImageConfig | undefined,
): Promise<CopyResult> {
  const { signal } = ctx;
  const callOptions = signal === undefined ? {} : { signal };
  const dockerReference = ctx.destination.reference.dockerReference;
  const built = buildManifest(
    {
      source: write.source,
      layers: write.layers,
      ...(config === undefined ? {} : { config }),
      ...(write.diffIds === undefined ? {} : { diffIds: write.diffIds }),
      identity: {
        ...(dockerReference === undefined ? {} : { name: dockerReference.path }),
        ...(dockerReference?.tag === undefined ? {} : { tag: dockerReference.tag }),
      },
    },
    type,
  );
  for (const extra of built.extraBlobs) {
    const reused = await ctx.destination.tryReusingBlob(extra, { ...callOptions, cache: ctx.cache });
    if (reused === undefined) {
      await ctx.destination.putBlob(
        oneChunk(extra.bytes),
        { digest: extra.digest, size: extra.size, mediaType: extra.mediaType },
        { ...callOptions, isConfig: extra.mediaType.includes('config'), cache: ctx.cache },
      );
    }
  }
  const { manifest } = built;
  ctx.report('Writing manifest to image destination');
  await ctx.destination.putManifest(
    { bytes: manifest.bytes, mediaType: manifest.mediaType },
    { ...callOptions, ...(write.asInstance ? { instance: manifest.digest } : {}) },
  );
  ctx.emit({ type: 'manifest', digest: manifest.digest, ...(write.asInstance ? { instance: manifest.digest } : {}) });
  return { manifest: manifest.bytes, mediaType: manifest.mediaType, digest: manifest.digest };
}

async function readConfig(ctx: CopyContext, manifest: ImageManifest): Promise<ImageConfig> {
  const descriptor = manifest.kind === 'docker-schema1' ? undefined : manifest.config;
  if (descriptor === undefined) throw new ImageError('ERR_INVALID_IMAGE', 'the image has no config');
  const { signal } = ctx;
  const callOptions = signal === undefined ? {} : { signal };
  const { stream } = await ctx.source.getBlob(descriptor, callOptions);
  const verified = verifyStream(stream, { ...callOptions, digest: descriptor.digest, size: descriptor.size });
  return parseImageConfig(
    await readLimited(verified, MANIFEST_LIMIT, { ...callOptions, what: `config ${descriptor.digest}` }),
  );
}

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
