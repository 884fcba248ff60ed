import { ImageError } from '@ferry/types';
import type { Descriptor, DockerSchema2Manifest, OciManifest } from './manifest-types.ts';
import {
  DOCKER_V2S2_CONFIG_MEDIA_TYPE,
  DOCKER_V2S2_FOREIGN_LAYER_GZIP_MEDIA_TYPE,
  DOCKER_V2S2_FOREIGN_LAYER_MEDIA_TYPE,
  DOCKER_V2S2_LAYER_MEDIA_TYPE,
  DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_LAYER_GZIP_MEDIA_TYPE,
  OCI_LAYER_MEDIA_TYPE,
  OCI_LAYER_NONDISTRIBUTABLE_GZIP_MEDIA_TYPE,
  OCI_LAYER_NONDISTRIBUTABLE_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from './media-types.ts';
import { parseDockerSchema2, parseOciManifest } from './parse-image-manifest.ts';

const DOCKER_TO_OCI: Readonly<Record<string, string>> = {
  [DOCKER_V2S2_FOREIGN_LAYER_MEDIA_TYPE]: OCI_LAYER_NONDISTRIBUTABLE_MEDIA_TYPE,
  [DOCKER_V2S2_FOREIGN_LAYER_GZIP_MEDIA_TYPE]: OCI_LAYER_NONDISTRIBUTABLE_GZIP_MEDIA_TYPE,
  [DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE]: OCI_LAYER_MEDIA_TYPE,
  [DOCKER_V2S2_LAYER_MEDIA_TYPE]: OCI_LAYER_GZIP_MEDIA_TYPE,
};
const OCI_TO_DOCKER: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(DOCKER_TO_OCI).map(([docker, oci]) => [oci, docker]),
);

function descriptor(d: Descriptor, mediaType: string, keepAnnotations: boolean): Record<string, unknown> {
  return {
    mediaType,
    size: d.size,
    digest: d.digest,
    ...(d.urls === undefined ? {} : { urls: d.urls }),
    ...(keepAnnotations && d.annotations !== undefined ? { annotations: d.annotations } : {}),
  };
}

/**
 * Converts a Docker schema 2 manifest to an OCI manifest: layer media types map to their OCI counterparts
 * (foreign layers become non-distributable ones) and the config descriptor gets the OCI config media type.
 * The config blob itself is kept as it is (containers/image re-serializes it through the OCI struct, which
 * changes its digest; a Docker config is valid OCI config JSON, so Ferry does not).
 *
 * @throws {@link ImageError} `ERR_MANIFEST_CONVERSION` for a layer media type with no OCI counterpart.
 */
export function schema2ToOci(manifest: DockerSchema2Manifest): OciManifest {
  const layers = manifest.layers.map((layer, i) => {
    const mediaType = DOCKER_TO_OCI[layer.mediaType];
    if (mediaType === undefined) {
      throw new ImageError(
        'ERR_MANIFEST_CONVERSION',
        `layers[${i}]: unknown media type ${JSON.stringify(layer.mediaType)}`,
      );
    }
    return descriptor(layer, mediaType, false);
  });
  const doc = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    config: descriptor(manifest.config, OCI_CONFIG_MEDIA_TYPE, false),
    layers,
  };
  return parseOciManifest(new TextEncoder().encode(JSON.stringify(doc)));
}

/**
 * Converts an OCI image manifest to Docker schema 2, as containers/image does. OCI-only members (manifest
 * and layer annotations, `subject`, `artifactType`) are dropped.
 *
 * @throws {@link ImageError} `ERR_MANIFEST_CONVERSION` for an artifact (config type not the OCI image config),
 * zstd or encrypted layers, or any layer type Docker cannot name.
 */
export function ociToSchema2(manifest: OciManifest): DockerSchema2Manifest {
  if (manifest.config.mediaType !== OCI_CONFIG_MEDIA_TYPE) {
    throw new ImageError(
      'ERR_MANIFEST_CONVERSION',
      `config.mediaType: ${JSON.stringify(manifest.config.mediaType)} is not an image config; an artifact cannot become a Docker image`,
    );
  }
  const layers = manifest.layers.map((layer, i) => {
    const mediaType = OCI_TO_DOCKER[layer.mediaType];
    if (mediaType === undefined) {
      const why = layer.mediaType.endsWith('+encrypted')
        ? 'encrypted layers are not supported in Docker images'
        : layer.mediaType.endsWith('+zstd')
          ? 'zstd compression is not supported in Docker images'
          : 'no Docker counterpart';
      throw new ImageError('ERR_MANIFEST_CONVERSION', `layers[${i}]: ${JSON.stringify(layer.mediaType)}: ${why}`);
    }
    return descriptor(layer, mediaType, false);
  });
  const doc = {
    schemaVersion: 2,
    mediaType: DOCKER_V2S2_MEDIA_TYPE,
    config: descriptor(manifest.config, DOCKER_V2S2_CONFIG_MEDIA_TYPE, false),
    layers,
  };
  return parseDockerSchema2(new TextEncoder().encode(JSON.stringify(doc)));
}
