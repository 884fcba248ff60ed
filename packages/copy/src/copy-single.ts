import {
  compressionOfMediaType,
  configDescriptor,
  type ImageManifest,
  isListMediaType,
  type LayerInfo,
  layerInfos,
  normalizeMediaType,
} from '@ferry/manifest';
import { type Digest, ImageError, MANIFEST_LIMIT } from '@ferry/types';
import { existingManifest } from './already-exists.ts';
import { type CopiedBlob, copyBlob } from './copy-blob.ts';
import type { CopyContext } from './copy-context.ts';
import type { CopyResult } from './copy-options.ts';
import { layerDiffIds } from './diff-ids.ts';
import { canChangeCompression, demandedChange } from './layer-plan.ts';
import { isSchema1Type, manifestCandidates } from './manifest-plan.ts';
import { newSignatures } from './new-signatures.ts';
import { runAll } from './run-all.ts';
import { sourceSignatures } from './signatures.ts';
import { writeImageManifest } from './write-manifest.ts';

/** Which image to copy and how to write it. */
export interface SingleImage {
  /** The parsed manifest (already checked against the policy). */
  readonly manifest: ImageManifest;
  /** The instance digest in the source list, or undefined for the top-level manifest. */
  readonly sourceInstance: Digest | undefined;
  /** Whether the manifest is written as an instance of a list (else as the top-level manifest). */
  readonly asInstance: boolean;
}

/** Copies one image: signatures check, layers, config, manifest (with fallbacks), signatures. */
export async function copySingleImage(ctx: CopyContext, image: SingleImage): Promise<CopyResult> {
  const { manifest, sourceInstance } = image;
  const signatures = await sourceSignatures(ctx, sourceInstance, 'image');
  const cannotModify = cannotModifyReason(ctx, signatures.length);
  const layers = layerInfos(manifest);
  refuseDemandedChanges(ctx, layers, cannotModify);
  const candidates = planCandidates(ctx, manifest, cannotModify);
  const canModify = cannotModify === undefined;

  // only for a top-level image: a list instance's blobs must be written again for the list's commit to hold
  // them, and the destination's own top-level manifest is what names an existing image
  const signing = (ctx.options.signers?.length ?? 0) > 0;
  if (
    ctx.options.optimizeDestinationImageAlreadyExists === true &&
    signatures.length === 0 &&
    !signing &&
    !image.asInstance
  ) {
    const unchanged = candidates[0] === normalizeMediaType(manifest.mediaType) && !anyDemanded(ctx, layers);
    const found = unchanged ? await existingManifest(ctx, undefined, manifest.digest) : undefined;
    if (found !== undefined) {
      ctx.report('Skipping: image already present at destination');
      ctx.state.alreadyPresent = true;
      return { manifest: found.bytes, mediaType: manifest.mediaType, digest: manifest.digest };
    }
  }

  const copied = await copyLayers(ctx, image, layers, candidates, canModify);
  const config = configDescriptor(manifest);
  if (config !== undefined) {
    if (config.size > MANIFEST_LIMIT) {
      throw new ImageError('ERR_TOO_LARGE', `config ${config.digest} exceeds the ${MANIFEST_LIMIT}-byte limit`);
    }
    await copyBlob(ctx, {
      info: { digest: config.digest, size: config.size, mediaType: config.mediaType },
      isConfig: true,
      canModify: false,
      instance: sourceInstance,
      possibleManifestMediaTypes: candidates,
    });
  }
  // as containers/image: diff IDs are computed when the preferred type needs them
  const needsDiffIds = manifest.kind === 'docker-schema1' && !isSchema1Type(candidates[0]);
  const diffIds = needsDiffIds ? await layerDiffIds(ctx, layers) : undefined;
  const written = await writeImageManifest(ctx, {
    source: manifest,
    layers: copied,
    candidates,
    asInstance: image.asInstance,
    cannotModify,
    ...(diffIds === undefined ? {} : { diffIds }),
  });
  // instances of a copied list are not signed: the list is, as in containers/image
  const all = image.asInstance ? signatures : [...signatures, ...(await newSignatures(ctx, written))];
  if (all.length > 0) {
    ctx.report('Storing signatures');
    await ctx.destination.putSignatures(all, {
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
      ...(image.asInstance ? { instance: written.digest } : {}),
    });
  }
  return written;
}

async function copyLayers(
  ctx: CopyContext,
  image: SingleImage,
  layers: readonly LayerInfo[],
  candidates: readonly string[],
  canModifyManifest: boolean,
): Promise<readonly CopiedBlob[]> {
  const { traits } = ctx.destination;
  const tasks = layers.map((layer, layerIndex) => async (signal: AbortSignal): Promise<CopiedBlob> => {
    const foreign = (layer.urls?.length ?? 0) > 0;
    if (foreign && traits.acceptsForeignLayerURLs && ctx.options.downloadForeignLayers !== true) {
      return { digest: layer.digest, size: layer.size ?? 0, compression: undefined, reused: true };
    }
    const known = layer.compression === 'unknown' ? undefined : layer.compression;
    return copyBlob(
      { ...ctx, signal },
      {
        info: {
          digest: layer.digest,
          ...(layer.size === undefined ? {} : { size: layer.size }),
          ...(layer.mediaType === undefined ? {} : { mediaType: layer.mediaType }),
          ...(layer.annotations === undefined ? {} : { annotations: layer.annotations }),
          ...(layer.urls === undefined ? {} : { urls: layer.urls }),
          ...(known === undefined ? {} : { compression: known }),
        },
        isConfig: false,
        layerIndex,
        emptyLayer: layer.emptyLayer,
        canModify: canModifyManifest && canChangeCompression(layer.mediaType),
        instance: image.sourceInstance,
        possibleManifestMediaTypes: candidates,
      },
    );
  });
  return runAll(tasks, ctx.signal);
}

function cannotModifyReason(ctx: CopyContext, signatureCount: number): string | undefined {
  if (ctx.options.preserveDigests === true) return 'preserveDigests is set';
  if (signatureCount > 0) return 'it would invalidate the source signatures (use removeSignatures)';
  return undefined;
}

function anyDemanded(ctx: CopyContext, layers: readonly LayerInfo[]): boolean {
  return layers.some((l) => demandedChange(ctx.layerWish, l.mediaType) !== undefined);
}

// a change the user asked for that cannot be made is refused before anything is written
function refuseDemandedChanges(ctx: CopyContext, layers: readonly LayerInfo[], reason: string | undefined): void {
  if (reason === undefined) return;
  layers.forEach((layer, i) => {
    const to = demandedChange(ctx.layerWish, layer.mediaType);
    if (to !== undefined) {
      throw new ImageError(
        'ERR_INVALID_ARGUMENT',
        `layer ${i} (${layer.digest}, ${compressionOfMediaType(layer.mediaType ?? '')}) would have to become ${to}, which changes its digest, but ${reason}`,
      );
    }
  });
}

function planCandidates(
  ctx: CopyContext,
  manifest: ImageManifest,
  cannotModify: string | undefined,
): readonly string[] {
  const { forceManifestMediaType: forced } = ctx.options;
  const wish = ctx.layerWish;
  const destinationTypes = ctx.destination.traits.supportedManifestMediaTypes;
  const source = normalizeMediaType(manifest.mediaType);
  if (cannotModify !== undefined) {
    const wanted = forced === undefined ? destinationTypes.filter((t) => !isListMediaType(t)) : [forced];
    if (wanted.length > 0 && !wanted.includes(source) && !(forced === undefined && destinationTypes.length === 0)) {
      throw new ImageError(
        'ERR_MANIFEST_CONVERSION',
        `the manifest (${source}) would have to be converted to ${wanted[0]}, but ${cannotModify}`,
      );
    }
  }
  return manifestCandidates({
    sourceType: manifest.mediaType,
    destinationTypes,
    forced,
    requiredCompression: wish.kind === 'compress' && wish.demanded ? wish.compression.algorithm : undefined,
    cannotModifyReason: cannotModify,
  });
}
