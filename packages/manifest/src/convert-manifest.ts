import { type Digest, ImageError } from '@ferry/types';
import { type Schema1LayerFacts, schema1ToSchema2 } from './convert-from-schema1.ts';
import { dockerListToOciIndex, ociIndexToDockerList } from './convert-list.ts';
import { ociToSchema2, schema2ToOci } from './convert-schema2-oci.ts';
import {
  GZIPPED_EMPTY_LAYER,
  GZIPPED_EMPTY_LAYER_DIGEST,
  type Schema1Identity,
  schema2ToSchema1,
} from './convert-to-schema1.ts';
import type { DockerSchema2Manifest, Manifest } from './manifest-types.ts';
import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S2_CONFIG_MEDIA_TYPE,
  DOCKER_V2S2_LAYER_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  type ManifestMediaType,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from './media-types.ts';
import type { ImageConfig } from './parse-image-config.ts';

/** A blob the destination needs that the source does not have. */
export interface ExtraBlob {
  readonly digest: Digest;
  readonly size: number;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

/** What {@link convertManifest} needs for some directions. */
export interface ConvertManifestOptions extends Schema1Identity {
  /** The image config, parsed; required to convert to schema 1. */
  readonly config?: ImageConfig;
  /** Diff IDs and sizes of the layers, base first; required to convert from schema 1. */
  readonly layers?: readonly Schema1LayerFacts[];
}

/** The converted manifest and the blobs that must be stored with it. */
export interface ConvertedManifest {
  readonly manifest: Manifest;
  /** The new config (from schema 1), the gzipped empty layer (to schema 1); empty otherwise. */
  readonly extraBlobs: readonly ExtraBlob[];
}

const isSchema1 = (t: string): boolean => t === DOCKER_V2S1_MEDIA_TYPE || t === DOCKER_V2S1_SIGNED_MEDIA_TYPE;

function refuse(from: string, to: string, why: string): never {
  throw new ImageError('ERR_MANIFEST_CONVERSION', `cannot convert ${from} to ${to}: ${why}`);
}

/**
 * Converts a manifest to another format in the directions containers/image supports: Docker schema 2 ↔ OCI,
 * schema 2/OCI → unsigned schema 1 (needs `config`), schema 1 → schema 2/OCI (needs `layers`), Docker list ↔
 * OCI index. A manifest already of the target type is returned unchanged (schema 1 signed and unsigned count
 * as one type). Lists never become single manifests or the reverse.
 *
 * @throws {@link ImageError} `ERR_MANIFEST_CONVERSION` for an unsupported direction or content (zstd or
 * encrypted layers to a Docker format, artifacts); `ERR_INVALID_ARGUMENT` when a needed option is missing.
 * @example
 * ```ts
 * const { manifest, extraBlobs } = convertManifest(parseManifest(bytes), 'application/vnd.oci.image.manifest.v1+json');
 * ```
 */
export function convertManifest(
  manifest: Manifest,
  to: ManifestMediaType,
  options: ConvertManifestOptions = {},
): ConvertedManifest {
  const from = manifest.mediaType;
  if (from === to || (isSchema1(from) && isSchema1(to))) return { manifest, extraBlobs: [] };
  switch (manifest.kind) {
    case 'docker-manifest-list':
      if (to === OCI_INDEX_MEDIA_TYPE) return { manifest: dockerListToOciIndex(manifest), extraBlobs: [] };
      return refuse(from, to, 'a list converts only to another list type');
    case 'oci-index':
      if (to === DOCKER_V2_LIST_MEDIA_TYPE) return { manifest: ociIndexToDockerList(manifest), extraBlobs: [] };
      return refuse(from, to, 'a list converts only to another list type');
    case 'docker-schema1':
      return fromSchema2(schema1ToSchema2(manifest, requireLayers(options)), to, options, true);
    case 'docker-schema2':
      return fromSchema2({ manifest }, to, options, false);
    case 'oci-manifest':
      if (to === DOCKER_V2_LIST_MEDIA_TYPE || to === OCI_INDEX_MEDIA_TYPE) {
        return refuse(from, to, 'a single manifest does not become a list');
      }
      return fromSchema2({ manifest: ociToSchema2(manifest) }, to, options, false);
  }
}

function fromSchema2(
  converted: { manifest: DockerSchema2Manifest; config?: Uint8Array },
  to: ManifestMediaType,
  options: ConvertManifestOptions,
  viaSchema1: boolean,
): ConvertedManifest {
  const m = converted.manifest;
  const extraBlobs: ExtraBlob[] = [];
  if (converted.config !== undefined) {
    const mediaType = to === OCI_MANIFEST_MEDIA_TYPE ? OCI_CONFIG_MEDIA_TYPE : DOCKER_V2S2_CONFIG_MEDIA_TYPE;
    extraBlobs.push({ digest: m.config.digest, size: m.config.size, mediaType, bytes: converted.config });
  }
  switch (to) {
    case DOCKER_V2S2_MEDIA_TYPE:
      return { manifest: m, extraBlobs };
    case OCI_MANIFEST_MEDIA_TYPE:
      return { manifest: schema2ToOci(m), extraBlobs };
    case DOCKER_V2S1_MEDIA_TYPE:
    case DOCKER_V2S1_SIGNED_MEDIA_TYPE: {
      if (viaSchema1) return refuse('schema 1', to, 'already schema 1');
      if (options.config === undefined) {
        throw new ImageError('ERR_INVALID_ARGUMENT', 'converting to schema 1 needs the image config (options.config)');
      }
      const result = schema2ToSchema1(m, options.config, options);
      if (result.usesEmptyLayer) {
        extraBlobs.push({
          digest: GZIPPED_EMPTY_LAYER_DIGEST,
          size: GZIPPED_EMPTY_LAYER.byteLength,
          mediaType: DOCKER_V2S2_LAYER_MEDIA_TYPE,
          bytes: GZIPPED_EMPTY_LAYER,
        });
      }
      return { manifest: result.manifest, extraBlobs };
    }
    default:
      return refuse(m.mediaType, to, 'a single manifest does not become a list');
  }
}

function requireLayers(options: ConvertManifestOptions): readonly Schema1LayerFacts[] {
  if (options.layers === undefined) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      "converting from schema 1 needs the layers' diff IDs and sizes (options.layers)",
    );
  }
  return options.layers;
}
