import { digestBytes } from '@ferry/blob';
import type { Digest } from '@ferry/types';
import { digestHex } from '@ferry/types';
import { goJson } from './go-json.ts';

/** The legacy (pre-`manifest.json`) files of one layer: `ID/layer.tar` (a symlink), `ID/VERSION`, `ID/json`. */
export interface LegacyLayer {
  /** The directory name: a sha256 hex digest. */
  readonly id: string;
  /** The layer's digest, whose member `<hex>.tar` the `layer.tar` symlink points at. */
  readonly digest: Digest;
  /** The `json` file. */
  readonly json: Uint8Array;
}

// the image config fields containers/image copies into the top layer's legacy json
const TOP_LAYER_FIELDS = ['architecture', 'config', 'container', 'container_config', 'created', 'docker_version', 'os'];

/**
 * The legacy layer directories `docker load` of old Docker versions reads, computed as containers/image's
 * `writeLegacyMetadataLocked` does: each layer's json names its parent; the top one also carries some image
 * config fields; the ID is the sha256 of the json with the layer's chain ID added.
 *
 * @example
 * ```ts
 * const layers = legacyLayers(manifestLayerDigests, configBytes);
 * const top = layers.at(-1)?.id; // what the repositories file points at
 * ```
 */
export function legacyLayers(layerDigests: readonly Digest[], configBytes: Uint8Array): LegacyLayer[] {
  const config = parseObject(configBytes);
  const out: LegacyLayer[] = [];
  let chainId: string | undefined;
  let parent: string | undefined;
  for (const [i, digest] of layerDigests.entries()) {
    const layerConfig: Record<string, unknown> = {};
    if (parent !== undefined) layerConfig.parent = parent;
    if (i === layerDigests.length - 1) {
      for (const field of TOP_LAYER_FIELDS) layerConfig[field] = config[field] ?? null;
    }
    chainId = chainId === undefined ? digest : digestBytes(`${chainId} ${digest}`);
    const id = digestHex(digestBytes(goJson({ ...layerConfig, layer_id: chainId }, true)));
    const json = new TextEncoder().encode(goJson({ ...layerConfig, id }, true));
    out.push({ id, digest, json });
    parent = id;
  }
  return out;
}

/**
 * The `repositories` file: `{"name":{"tag":"top layer ID"}}`, keys sorted as Go writes maps.
 * @example
 * ```ts
 * repositoriesJson(new Map([['docker.io/library/busybox', new Map([['latest', id]])]]));
 * ```
 */
export function repositoriesJson(repositories: ReadonlyMap<string, ReadonlyMap<string, string>>): Uint8Array {
  const parts = [...repositories.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, tags]) => {
      const inner = [...tags.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([tag, id]) => `${goJson(tag)}:${goJson(id)}`);
      return `${goJson(name)}:{${inner.join(',')}}`;
    });
  return new TextEncoder().encode(`{${parts.join(',')}}`);
}

function parseObject(bytes: Uint8Array): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    // the config was verified by digest; a non-JSON config just contributes no fields
    return {};
  }
}
