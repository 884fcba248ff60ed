import type { Digest } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { type LayerFormat, layerMediaTypeFor, type NamedCompression } from './layer-compression.ts';
import type { Descriptor, DockerSchema1Manifest, ImageManifest } from './manifest-types.ts';
import { ENCRYPTED_SUFFIX } from './media-types.ts';
import { parseDockerSchema2, parseOciManifest } from './parse-image-manifest.ts';
import { parseJsonObject } from './parse-json.ts';
import { parseDockerSchema1 } from './parse-schema1.ts';

/** The new facts about one layer, for {@link updateLayerInfos}. */
export interface LayerUpdate {
  readonly digest: Digest;
  /** Size in bytes (ignored by schema 1, which records none). */
  readonly size: number;
  /** The blob's compression after the copy; when omitted the media type is kept as it is. */
  readonly compression?: NamedCompression;
  /** An encryption change, OCI only. */
  readonly encryption?: 'encrypt' | 'decrypt';
  /** Replaces the descriptor's `urls`; when omitted they are kept. */
  readonly urls?: readonly string[];
  /** Replaces the descriptor's `annotations` (OCI); when omitted they are kept. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * Returns the manifest with its layers replaced, in order (base layer first, one update per entry of
 * {@link layerInfos}, schema 1 empty layers included), as containers/image's `UpdateLayerInfos`: digests and
 * sizes are set, media types follow the compression change within the format's variant set, other fields and
 * unknown members are kept. The result is serialized anew (the original bytes are not reproduced) and parsed
 * back. A signed schema 1 manifest comes back unsigned (`application/vnd.docker.distribution.manifest.v1+json`).
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for a wrong count or size; `ERR_MANIFEST_CONVERSION` for a
 * compression or encryption the format cannot express (zstd or encryption in Docker formats).
 * @example
 * ```ts
 * const updated = updateLayerInfos(manifest, [{ digest, size, compression: 'zstd' }]);
 * await destination.putManifest(updated.bytes);
 * ```
 */
export function updateLayerInfos(manifest: ImageManifest, updates: readonly LayerUpdate[]): ImageManifest {
  const count = manifest.kind === 'docker-schema1' ? manifest.fsLayers.length : manifest.layers.length;
  if (updates.length !== count) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `layer count changed from ${count} to ${updates.length}`);
  }
  updates.forEach((u, i) => {
    if (!Number.isSafeInteger(u.size) || u.size < 0) {
      throw new ImageError('ERR_INVALID_ARGUMENT', `layers[${i}].size ${u.size} is not a non-negative safe integer`);
    }
  });
  if (manifest.kind === 'docker-schema1') return updateSchema1(manifest, updates);
  const format: LayerFormat = manifest.kind === 'oci-manifest' ? 'oci' : 'docker';
  const root = parseJsonObject(manifest.bytes, manifest.mediaType);
  const rawLayers = root.layers as readonly Record<string, unknown>[];
  const layers = manifest.layers.map((original, i) => ({
    ...rawLayers[i],
    ...updatedDescriptor(format, original, updates[i] as LayerUpdate, i),
  }));
  const bytes = new TextEncoder().encode(JSON.stringify({ ...root, layers }));
  return format === 'oci' ? parseOciManifest(bytes) : parseDockerSchema2(bytes);
}

function updatedDescriptor(format: LayerFormat, original: Descriptor, update: LayerUpdate, i: number): Descriptor {
  let mediaType = original.mediaType;
  if (update.encryption !== undefined && format !== 'oci') {
    throw new ImageError(
      'ERR_MANIFEST_CONVERSION',
      `layers[${i}]: encryption changes are not supported in ${format} manifests`,
    );
  }
  if (update.encryption === 'decrypt') {
    if (!mediaType.endsWith(ENCRYPTED_SUFFIX)) {
      throw new ImageError(
        'ERR_MANIFEST_CONVERSION',
        `layers[${i}]: cannot decrypt ${JSON.stringify(mediaType)}, not encrypted`,
      );
    }
    mediaType = mediaType.slice(0, -ENCRYPTED_SUFFIX.length);
  }
  if (update.compression !== undefined) mediaType = layerMediaTypeFor(format, mediaType, update.compression);
  if (update.encryption === 'encrypt') mediaType = encryptedMediaType(mediaType, i);
  const urls = update.urls ?? original.urls;
  const annotations = update.annotations ?? original.annotations;
  return {
    mediaType,
    digest: update.digest,
    size: update.size,
    ...(urls === undefined ? {} : { urls }),
    ...(annotations === undefined || format !== 'oci' ? {} : { annotations }),
  };
}

// containers/image's getEncryptedMediaType: only plain OCI (and Docker gzip) layer types have an encrypted form
function encryptedMediaType(mediaType: string, i: number): string {
  const [base, ...suffixes] = mediaType.split('+');
  const encryptable = [
    'application/vnd.oci.image.layer.v1.tar',
    'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ];
  if (suffixes.includes('encrypted') || base === undefined || !encryptable.includes(base)) {
    throw new ImageError('ERR_MANIFEST_CONVERSION', `layers[${i}]: cannot encrypt ${JSON.stringify(mediaType)}`);
  }
  return `${mediaType}${ENCRYPTED_SUFFIX}`;
}

function updateSchema1(manifest: DockerSchema1Manifest, updates: readonly LayerUpdate[]): ImageManifest {
  const n = updates.length;
  const fsLayers = updates.map((_, v1Index) => {
    const update = updates[n - 1 - v1Index] as LayerUpdate;
    if (update.encryption !== undefined) {
      throw new ImageError('ERR_MANIFEST_CONVERSION', `layers[${n - 1 - v1Index}]: schema 1 cannot express encryption`);
    }
    if (update.compression === 'zstd') {
      throw new ImageError(
        'ERR_MANIFEST_CONVERSION',
        `layers[${n - 1 - v1Index}]: schema 1 cannot express zstd compression`,
      );
    }
    return { blobSum: update.digest };
  });
  const { signatures: _, ...root } = parseJsonObject(manifest.bytes, manifest.mediaType);
  const history = manifest.history.map((h) => ({ v1Compatibility: h.v1Compatibility }));
  const bytes = new TextEncoder().encode(JSON.stringify({ ...root, fsLayers, history }, null, 3));
  return parseDockerSchema1(bytes);
}
