import { ImageError } from '@ferry/types';
import {
  DOCKER_V2S2_FOREIGN_LAYER_GZIP_MEDIA_TYPE,
  DOCKER_V2S2_FOREIGN_LAYER_MEDIA_TYPE,
  DOCKER_V2S2_LAYER_MEDIA_TYPE,
  DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE,
  ENCRYPTED_SUFFIX,
  OCI_LAYER_GZIP_MEDIA_TYPE,
  OCI_LAYER_MEDIA_TYPE,
  OCI_LAYER_NONDISTRIBUTABLE_GZIP_MEDIA_TYPE,
  OCI_LAYER_NONDISTRIBUTABLE_MEDIA_TYPE,
  OCI_LAYER_NONDISTRIBUTABLE_ZSTD_MEDIA_TYPE,
  OCI_LAYER_ZSTD_MEDIA_TYPE,
} from './media-types.ts';

/** How a layer is compressed, as far as its media type tells. */
export type LayerCompression = 'gzip' | 'zstd' | 'none' | 'unknown';

/** A compression a manifest can name: what {@link layerMediaTypeFor} converts to. */
export type NamedCompression = 'gzip' | 'zstd' | 'none';

/** One set of media types that differ only by compression; `null` marks a variant the format cannot express. */
type VariantSet = Readonly<Record<NamedCompression, string | null>>;

const DOCKER_SETS: readonly VariantSet[] = [
  { none: DOCKER_V2S2_FOREIGN_LAYER_MEDIA_TYPE, gzip: DOCKER_V2S2_FOREIGN_LAYER_GZIP_MEDIA_TYPE, zstd: null },
  { none: DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE, gzip: DOCKER_V2S2_LAYER_MEDIA_TYPE, zstd: null },
];

const OCI_SETS: readonly VariantSet[] = [
  {
    none: OCI_LAYER_NONDISTRIBUTABLE_MEDIA_TYPE,
    gzip: OCI_LAYER_NONDISTRIBUTABLE_GZIP_MEDIA_TYPE,
    zstd: OCI_LAYER_NONDISTRIBUTABLE_ZSTD_MEDIA_TYPE,
  },
  { none: OCI_LAYER_MEDIA_TYPE, gzip: OCI_LAYER_GZIP_MEDIA_TYPE, zstd: OCI_LAYER_ZSTD_MEDIA_TYPE },
];

/** The manifest formats whose layers carry media types. */
export type LayerFormat = 'docker' | 'oci';

/**
 * Tells a layer's compression from its media type (an `+encrypted` suffix is looked through). Media types
 * that name no known layer variant are `unknown`.
 *
 * @example
 * ```ts
 * compressionOfMediaType('application/vnd.oci.image.layer.v1.tar+zstd'); // 'zstd'
 * ```
 */
export function compressionOfMediaType(mediaType: string): LayerCompression {
  const plain = mediaType.endsWith(ENCRYPTED_SUFFIX) ? mediaType.slice(0, -ENCRYPTED_SUFFIX.length) : mediaType;
  for (const set of [...DOCKER_SETS, ...OCI_SETS]) {
    for (const name of ['none', 'gzip', 'zstd'] as const) {
      if (set[name] === plain) return name;
    }
  }
  return 'unknown';
}

/**
 * The media type a layer of `mediaType` gets in a `format` manifest once compressed with `compression`, as
 * containers/image's `updatedMIMEType` does: the variant set (ordinary or foreign/non-distributable) is kept,
 * only the compression changes. An OCI `+encrypted` suffix is kept.
 *
 * @throws {@link ImageError} `ERR_MANIFEST_CONVERSION` when the format cannot express the compression (zstd in
 * Docker schema 2) or the media type is not a known layer type of the format.
 * @example
 * ```ts
 * layerMediaTypeFor('oci', 'application/vnd.oci.image.layer.v1.tar+gzip', 'zstd');
 * // 'application/vnd.oci.image.layer.v1.tar+zstd'
 * ```
 */
export function layerMediaTypeFor(format: LayerFormat, mediaType: string, compression: NamedCompression): string {
  const encrypted = format === 'oci' && mediaType.endsWith(ENCRYPTED_SUFFIX);
  const plain = encrypted ? mediaType.slice(0, -ENCRYPTED_SUFFIX.length) : mediaType;
  const set = (format === 'docker' ? DOCKER_SETS : OCI_SETS).find((s) => Object.values(s).includes(plain));
  if (set === undefined) {
    throw new ImageError(
      'ERR_MANIFEST_CONVERSION',
      `cannot change the compression of layer media type ${JSON.stringify(mediaType)} in a ${format} manifest`,
    );
  }
  const result = set[compression];
  if (result === null) {
    throw new ImageError(
      'ERR_MANIFEST_CONVERSION',
      `${compression} compression is not supported for ${JSON.stringify(mediaType)} in a ${format} manifest`,
    );
  }
  return encrypted ? `${result}${ENCRYPTED_SUFFIX}` : result;
}
