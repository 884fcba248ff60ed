import type { Digest } from '@ferry/types';
import { compressionOfMediaType, type LayerCompression } from './layer-compression.ts';
import type { Descriptor, ImageManifest } from './manifest-types.ts';

/** What a manifest says about one layer. */
export interface LayerInfo {
  readonly digest: Digest;
  /** Size in bytes; `undefined` for schema 1, which does not record sizes. */
  readonly size?: number;
  /** The descriptor's media type; `undefined` for schema 1, which has none. */
  readonly mediaType?: string;
  /** From the media type; `unknown` for schema 1 (its blobs are usually, not always, gzip). */
  readonly compression: LayerCompression;
  readonly encrypted: boolean;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * A schema 1 `throwaway` layer: it changes no file and has no entry in the image's `diff_ids`. Always
   * `false` for the other formats, which do not list such layers.
   */
  readonly emptyLayer: boolean;
}

/**
 * The layers of an image manifest, base layer first (schema 1 lists them top first; this reverses them, as
 * containers/image's `LayerInfos` does). Duplicates are kept: they are meaningful.
 *
 * @example
 * ```ts
 * for (const layer of layerInfos(parseManifest(bytes) as ImageManifest)) console.log(layer.digest, layer.compression);
 * ```
 */
export function layerInfos(manifest: ImageManifest): readonly LayerInfo[] {
  if (manifest.kind !== 'docker-schema1') return Object.freeze(manifest.layers.map(fromDescriptor));
  const out: LayerInfo[] = [];
  for (let i = manifest.fsLayers.length - 1; i >= 0; i--) {
    out.push(
      Object.freeze({
        digest: manifest.fsLayers[i] as Digest,
        compression: 'unknown',
        encrypted: false,
        emptyLayer: manifest.history[i]?.throwaway === true,
      }),
    );
  }
  return Object.freeze(out);
}

/**
 * The config descriptor of an image manifest, or `undefined` for schema 1, whose config is embedded in its
 * history.
 *
 * @example
 * ```ts
 * const config = configDescriptor(manifest); // { mediaType, digest, size } | undefined
 * ```
 */
export function configDescriptor(manifest: ImageManifest): Descriptor | undefined {
  return manifest.kind === 'docker-schema1' ? undefined : manifest.config;
}

function fromDescriptor(d: Descriptor): LayerInfo {
  return Object.freeze({
    digest: d.digest,
    size: d.size,
    mediaType: d.mediaType,
    compression: compressionOfMediaType(d.mediaType),
    encrypted: d.mediaType.endsWith('+encrypted'),
    ...(d.urls === undefined ? {} : { urls: d.urls }),
    ...(d.annotations === undefined ? {} : { annotations: d.annotations }),
    emptyLayer: false,
  });
}
