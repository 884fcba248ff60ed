import { createHash } from 'node:crypto';
import { type Digest, digestHex, ImageError } from '@ferry/types';
import { GO_ZERO_TIME, goJson } from './go-json.ts';
import type { DockerSchema1Manifest, DockerSchema2Manifest } from './manifest-types.ts';
import type { ImageConfig } from './parse-image-config.ts';
import { parseDockerSchema1 } from './parse-schema1.ts';

/** The gzip-compressed empty tar that schema 1 names for layers that change no file. */
export const GZIPPED_EMPTY_LAYER: Uint8Array = new Uint8Array([
  31, 139, 8, 0, 0, 9, 110, 136, 0, 255, 98, 24, 5, 163, 96, 20, 140, 88, 0, 8, 0, 0, 255, 255, 46, 175, 181, 239, 0, 4,
  0, 0,
]);

/** The digest of {@link GZIPPED_EMPTY_LAYER}. */
export const GZIPPED_EMPTY_LAYER_DIGEST: Digest =
  'sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4' as Digest;

/** Where the converted schema 1 manifest will be stored; schema 1 records it. */
export interface Schema1Identity {
  /** Repository path, e.g. `library/busybox`. @default '' */
  readonly name?: string;
  /** @default '' */
  readonly tag?: string;
}

// docker's cargo-cult v1 IDs: sha256 of the blob's hex digest and the other components joined by spaces
function v1Id(blob: Digest, ...others: string[]): string {
  return createHash('sha256')
    .update([digestHex(blob), ...others].join(' '))
    .digest('hex');
}

/**
 * Converts a Docker schema 2 manifest to an unsigned schema 1 manifest
 * (`application/vnd.docker.distribution.manifest.v1+json`), as containers/image's `convertToManifestSchema1`:
 * one `fsLayers`/`history` pair per config history entry, empty-layer steps pointing at
 * {@link GZIPPED_EMPTY_LAYER_DIGEST}, v1 IDs chained from the blob digests, and the top entry carrying the
 * whole config (without `rootfs` and `history`). The caller must also store {@link GZIPPED_EMPTY_LAYER} when
 * `usesEmptyLayer` is true. Ferry does not sign: push it as unsigned schema 1 or sign it elsewhere.
 *
 * @throws {@link ImageError} `ERR_DIGEST_MISMATCH` when `config` is not the manifest's config;
 * `ERR_MANIFEST_CONVERSION` when the history is empty or names more layers than the manifest has.
 */
export function schema2ToSchema1(
  manifest: DockerSchema2Manifest,
  config: ImageConfig,
  identity: Schema1Identity = {},
): { manifest: DockerSchema1Manifest; usesEmptyLayer: boolean } {
  if (config.digest !== manifest.config.digest) {
    throw new ImageError(
      'ERR_DIGEST_MISMATCH',
      `config ${config.digest} is not the manifest's config ${manifest.config.digest}`,
    );
  }
  const history = config.history;
  if (history.length === 0) {
    throw new ImageError('ERR_MANIFEST_CONVERSION', 'cannot convert an image with 0 history entries to schema 1');
  }
  const n = history.length;
  const fsLayers: { blobSum: Digest }[] = new Array(n);
  const v1History: { v1Compatibility: string }[] = new Array(n);
  let layerIndex = 0;
  let usesEmptyLayer = false;
  let id = '';
  let parent = '';
  history.forEach((entry, v2Index) => {
    parent = id;
    let blob: Digest;
    if (entry.emptyLayer) {
      blob = GZIPPED_EMPTY_LAYER_DIGEST;
      usesEmptyLayer = true;
    } else {
      const layer = manifest.layers[layerIndex++];
      if (layer === undefined) {
        throw new ImageError(
          'ERR_MANIFEST_CONVERSION',
          `the config's history needs more than the ${manifest.layers.length} layers`,
        );
      }
      blob = layer.digest;
    }
    id = v1Id(blob, parent);
    // field order and omissions follow Go's Schema1V1Compatibility struct
    const compat = {
      id,
      ...(parent === '' ? {} : { parent }),
      ...(entry.comment ? { comment: entry.comment } : {}),
      created: entry.created ?? GO_ZERO_TIME,
      container_config: { Cmd: [entry.createdBy ?? ''] },
      ...(entry.author ? { author: entry.author } : {}),
      ...(entry.emptyLayer ? { throwaway: true } : {}),
    };
    fsLayers[n - 1 - v2Index] = { blobSum: blob };
    v1History[n - 1 - v2Index] = { v1Compatibility: goJson(compat) };
  });
  const configText = new TextDecoder().decode(config.bytes);
  const top = fsLayers[0] as { blobSum: Digest };
  const topId = v1Id(top.blobSum, parent, configText);
  const { rootfs: _r, history: _h, ...rest } = config.json;
  const topCompat = {
    ...rest,
    id: topId,
    ...(parent === '' ? {} : { parent }),
    ...((history[n - 1]?.emptyLayer ?? false) ? { throwaway: true } : {}),
  };
  v1History[0] = { v1Compatibility: goJson(topCompat, true) };
  const doc = {
    name: identity.name ?? '',
    tag: identity.tag ?? '',
    architecture: config.architecture,
    fsLayers,
    history: v1History,
    schemaVersion: 1,
  };
  return { manifest: parseDockerSchema1(new TextEncoder().encode(JSON.stringify(doc, null, 3))), usesEmptyLayer };
}
