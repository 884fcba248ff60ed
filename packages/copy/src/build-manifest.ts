import {
  convertManifest,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  type ExtraBlob,
  type ImageConfig,
  type ImageManifest,
  isManifestMediaType,
  type LayerUpdate,
  layerInfos,
  type Manifest,
  type ManifestMediaType,
  updateLayerInfos,
} from '@ferry/manifest';
import { type Digest, ImageError, isImageError } from '@ferry/types';
import type { CopiedBlob } from './copy-blob.ts';

/** What the new manifest is built from. */
export interface BuildInput {
  readonly source: ImageManifest;
  /** One entry per source layer (base first, schema 1 empty layers included). */
  readonly layers: readonly CopiedBlob[];
  /** The parsed config, when converting to schema 1. */
  readonly config?: ImageConfig;
  /** Diff IDs per source layer, when converting from schema 1. */
  readonly diffIds?: readonly Digest[];
  /** Name and tag a schema 1 manifest records. */
  readonly identity: { readonly name?: string; readonly tag?: string };
}

/** A manifest to write and the extra blobs it needs first. */
export interface BuiltManifest {
  readonly manifest: Manifest;
  readonly extraBlobs: readonly ExtraBlob[];
}

const isSchema1 = (m: Manifest): boolean => m.kind === 'docker-schema1';
const isSchema1Type = (t: string): boolean => t === DOCKER_V2S1_MEDIA_TYPE || t === DOCKER_V2S1_SIGNED_MEDIA_TYPE;

/** Whether the copied layers differ from the source's (digest or compression). */
export function layersChanged(source: ImageManifest, layers: readonly CopiedBlob[]): boolean {
  const digests =
    source.kind === 'docker-schema1' ? [...source.fsLayers].reverse() : source.layers.map((l) => l.digest);
  return layers.some((l, i) => l.digest !== digests[i] || l.compression !== undefined);
}

/**
 * Builds the manifest of type `target` for the copied layers: the source itself when nothing changes,
 * otherwise converted and updated. Conversion runs before the layer update, or after it when that order
 * fails (e.g. OCI zstd layers decompressed for a Docker destination).
 *
 * @throws {@link ImageError} `ERR_MANIFEST_CONVERSION` when the manifest cannot become `target`.
 */
export function buildManifest(input: BuildInput, target: string): BuiltManifest {
  const { source, layers } = input;
  if (!isManifestMediaType(target)) {
    throw new ImageError('ERR_MANIFEST_CONVERSION', `cannot write a manifest of unknown type ${target}`);
  }
  const sameType = source.mediaType === target || (isSchema1(source) && isSchema1Type(target));
  if (sameType && !layersChanged(source, layers)) return { manifest: source, extraBlobs: [] };
  if (isSchema1Type(target) && !isSchema1(source)) return updateThenConvert(input, target);
  try {
    return convertThenUpdate(input, target);
  } catch (error) {
    if (!isImageError(error, 'ERR_MANIFEST_CONVERSION') || isSchema1(source)) throw error;
    return updateThenConvert(input, target);
  }
}

function convertThenUpdate(input: BuildInput, target: ManifestMediaType): BuiltManifest {
  const converted = convertManifest(input.source, target, convertOptions(input));
  const m = converted.manifest as ImageManifest;
  // from schema 1 the empty layers are dropped; otherwise the layers correspond one to one
  const empty = layerInfos(input.source).map((l) => l.emptyLayer);
  const kept =
    isSchema1(input.source) && !isSchema1(m) ? input.layers.filter((_, i) => empty[i] !== true) : input.layers;
  if (!layersChanged(m, kept)) return { manifest: m, extraBlobs: converted.extraBlobs };
  return { manifest: updateLayerInfos(m, kept.map(toUpdate)), extraBlobs: converted.extraBlobs };
}

function updateThenConvert(input: BuildInput, target: ManifestMediaType): BuiltManifest {
  const { source, layers } = input;
  const updated = layersChanged(source, layers) ? updateLayerInfos(source, layers.map(toUpdate)) : source;
  const converted = convertManifest(updated, target, convertOptions(input));
  return { manifest: converted.manifest, extraBlobs: converted.extraBlobs };
}

function convertOptions(input: BuildInput): Parameters<typeof convertManifest>[2] {
  const { identity, config, diffIds } = input;
  return {
    ...(identity.name === undefined ? {} : { name: identity.name }),
    ...(identity.tag === undefined ? {} : { tag: identity.tag }),
    ...(config === undefined ? {} : { config }),
    ...(diffIds === undefined
      ? {}
      : { layers: diffIds.map((diffId, i) => ({ diffId, size: input.layers[i]?.size ?? 0 })) }),
  };
}

function toUpdate(layer: CopiedBlob): LayerUpdate {
  const compression = layer.compression;
  return {
    digest: layer.digest,
    size: layer.size,
    ...(compression === undefined || compression === 'bzip2' || compression === 'xz' ? {} : { compression }),
  };
}
