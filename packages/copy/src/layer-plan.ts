import { compressionOfMediaType } from '@ferry/manifest';
import { type CompressionAlgorithm, type DestinationTraits, ImageError } from '@ferry/types';
import type { LayerWish } from './copy-context.ts';
import type { CopyOptions } from './copy-options.ts';

/**
 * What to do to layers, from the options and the destination's wish: the user's `decompress` or
 * `destinationCompression` wins over the destination's `desiredLayerCompression`, except that a destination
 * which needs uncompressed layers gets them.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when both `decompress` and `destinationCompression` are set.
 */
export function layerWish(options: CopyOptions, traits: Required<DestinationTraits>): LayerWish {
  const { decompress, destinationCompression } = options;
  if (decompress === true && destinationCompression !== undefined) {
    throw new ImageError('ERR_INVALID_ARGUMENT', 'decompress and destinationCompression cannot be used together');
  }
  if (decompress === true) return { kind: 'decompress', demanded: true };
  if (traits.desiredLayerCompression === 'decompress') return { kind: 'decompress', demanded: false };
  if (destinationCompression !== undefined) {
    return {
      kind: 'compress',
      compression: destinationCompression,
      demanded: destinationCompression.recompress !== false,
    };
  }
  if (traits.desiredLayerCompression === 'compress') {
    return { kind: 'compress', compression: { algorithm: 'gzip' }, demanded: false };
  }
  return { kind: 'preserve' };
}

/** The transformation of one layer's bytes. */
export type LayerStep =
  | { readonly kind: 'keep' }
  | { readonly kind: 'decompress'; readonly from: CompressionAlgorithm }
  | { readonly kind: 'compress'; readonly to: 'gzip' | 'zstd'; readonly level: number | undefined }
  | {
      readonly kind: 'recompress';
      readonly from: CompressionAlgorithm;
      readonly to: 'gzip' | 'zstd';
      readonly level: number | undefined;
    };

/**
 * The step for a layer whose bytes turned out to be `detected`, as containers/image's compression step:
 * compress uncompressed data, recompress into another format only when the user asked for one, decompress
 * when wanted; otherwise keep.
 */
export function layerStep(wish: LayerWish, detected: CompressionAlgorithm | 'none'): LayerStep {
  if (wish.kind === 'decompress')
    return detected === 'none' ? { kind: 'keep' } : { kind: 'decompress', from: detected };
  if (wish.kind === 'compress') {
    const { algorithm: to, level } = wish.compression;
    if (detected === 'none') return { kind: 'compress', to, level };
    if (wish.demanded && detected !== to) return { kind: 'recompress', from: detected, to, level };
  }
  return { kind: 'keep' };
}

/** The compression a layer ends up with after `step`, or undefined when it is unchanged. */
export function compressionAfter(step: LayerStep): 'gzip' | 'zstd' | 'none' | undefined {
  switch (step.kind) {
    case 'keep':
      return undefined;
    case 'decompress':
      return 'none';
    default:
      return step.to;
  }
}

/**
 * Whether the compression of a layer of `mediaType` may change at all: a known, unencrypted layer type (or
 * schema 1, whose layers have no media type). Artifacts and encrypted layers are copied as they are.
 */
export function canChangeCompression(mediaType: string | undefined): boolean {
  if (mediaType === undefined) return true;
  return !mediaType.endsWith('+encrypted') && compressionOfMediaType(mediaType) !== 'unknown';
}

/**
 * The compression the user demanded for layers of `mediaType`, when it differs from what the media type says
 * (so the layer's digest will change); undefined when nothing is demanded or nothing changes.
 */
export function demandedChange(wish: LayerWish, mediaType: string | undefined): string | undefined {
  if (mediaType === undefined || !canChangeCompression(mediaType)) return undefined;
  const current = compressionOfMediaType(mediaType);
  if (wish.kind === 'decompress' && wish.demanded && current !== 'none') return 'none';
  if (wish.kind === 'compress' && wish.demanded && current !== wish.compression.algorithm) {
    return wish.compression.algorithm;
  }
  return undefined;
}

/** The compression a reused blob must have when the user demanded one, for `requiredCompression`. */
export function requiredCompression(wish: LayerWish): CompressionAlgorithm | 'none' | undefined {
  if (!('demanded' in wish) || !wish.demanded) return undefined;
  return wish.kind === 'decompress' ? 'none' : wish.compression.algorithm;
}
