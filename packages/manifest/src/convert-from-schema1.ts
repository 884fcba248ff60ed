import { digestBytes } from '@ferry/blob';
import { type Digest, ImageError } from '@ferry/types';
import { GO_ZERO_TIME, goJson } from './go-json.ts';
import type { DockerSchema1Manifest, DockerSchema2Manifest } from './manifest-types.ts';
import { DOCKER_V2S2_CONFIG_MEDIA_TYPE, DOCKER_V2S2_LAYER_MEDIA_TYPE, DOCKER_V2S2_MEDIA_TYPE } from './media-types.ts';
import { parseDockerSchema2 } from './parse-image-manifest.ts';

/** What the caller learned about one schema 1 layer while copying it (schema 1 records neither). */
export interface Schema1LayerFacts {
  /** The digest of the uncompressed layer. */
  readonly diffId: Digest;
  /** The size of the stored (compressed) blob. */
  readonly size: number;
}

/**
 * Converts a schema 1 manifest to Docker schema 2, as containers/image's `convertToManifestSchema2` and
 * `ToSchema2Config`: the config is built from the top `v1Compatibility` (minus `id`, `parent`, `parent_id`,
 * `layer_id`, `throwaway`, `Size`) plus `rootfs` from the given diff IDs and `history` from every entry;
 * throwaway layers are left out of `layers`, which are gzip. `layers` gives one entry per
 * {@link layerInfos} entry (base first, throwaway ones included; their values are not used). The returned
 * `config` bytes must be stored as a blob. (containers/image also re-encodes configs of Docker < 1.8.3;
 * Ferry does not.)
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when `layers` has the wrong length or a bad size.
 */
export function schema1ToSchema2(
  manifest: DockerSchema1Manifest,
  layers: readonly Schema1LayerFacts[],
): { manifest: DockerSchema2Manifest; config: Uint8Array } {
  const n = manifest.fsLayers.length;
  if (layers.length !== n) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `schema 1 manifest has ${n} layers, but facts for ${layers.length} were given`,
    );
  }
  const descriptors: { mediaType: string; size: number; digest: Digest }[] = [];
  const diffIds: Digest[] = [];
  const history: Record<string, unknown>[] = [];
  for (let v1Index = n - 1; v1Index >= 0; v1Index--) {
    const v2Index = n - 1 - v1Index;
    const entry = manifest.history[v1Index];
    const facts = layers[v2Index] as Schema1LayerFacts;
    if (entry === undefined) continue;
    // field order and omissions follow Go's Schema2History struct
    history.push({
      created: entry.created ?? GO_ZERO_TIME,
      ...(entry.author ? { author: entry.author } : {}),
      ...(entry.cmd && entry.cmd.length > 0 ? { created_by: entry.cmd.join(' ') } : {}),
      ...(entry.comment ? { comment: entry.comment } : {}),
      ...(entry.throwaway ? { empty_layer: true } : {}),
    });
    if (entry.throwaway) continue;
    if (!Number.isSafeInteger(facts.size) || facts.size < 0) {
      throw new ImageError(
        'ERR_INVALID_ARGUMENT',
        `layers[${v2Index}].size ${facts.size} is not a non-negative safe integer`,
      );
    }
    descriptors.push({
      mediaType: DOCKER_V2S2_LAYER_MEDIA_TYPE,
      size: facts.size,
      digest: manifest.fsLayers[v1Index] as Digest,
    });
    diffIds.push(facts.diffId);
  }
  const top = JSON.parse((manifest.history[0] as { v1Compatibility: string }).v1Compatibility) as Record<
    string,
    unknown
  >;
  for (const key of ['id', 'parent', 'parent_id', 'layer_id', 'throwaway', 'Size']) delete top[key];
  top.rootfs = { type: 'layers', diff_ids: diffIds };
  top.history = history;
  const config = new TextEncoder().encode(goJson(top, true));
  const doc = {
    schemaVersion: 2,
    mediaType: DOCKER_V2S2_MEDIA_TYPE,
    config: { mediaType: DOCKER_V2S2_CONFIG_MEDIA_TYPE, size: config.byteLength, digest: digestBytes(config) },
    layers: descriptors,
  };
  return { manifest: parseDockerSchema2(new TextEncoder().encode(JSON.stringify(doc))), config };
}
