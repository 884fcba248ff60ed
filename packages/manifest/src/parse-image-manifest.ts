import { digestBytes } from '@ferry/blob';
import { ImageError } from '@ferry/types';
import { checkMediaTypeField, checkUnambiguous } from './format-checks.ts';
import { checkSchemaVersion, type JsonObject, requiredArray } from './json-fields.ts';
import type { Descriptor, DockerSchema2Manifest, OciManifest } from './manifest-types.ts';
import {
  DOCKER_V2S2_FOREIGN_LAYER_GZIP_MEDIA_TYPE,
  DOCKER_V2S2_FOREIGN_LAYER_MEDIA_TYPE,
  DOCKER_V2S2_LAYER_MEDIA_TYPE,
  DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from './media-types.ts';
import { readOciExtras } from './oci-extras.ts';
import { parseDescriptor } from './parse-descriptor.ts';
import { parseJsonObject } from './parse-json.ts';

const DOCKER_LAYER_TYPES: readonly string[] = [
  DOCKER_V2S2_LAYER_MEDIA_TYPE,
  DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE,
  DOCKER_V2S2_FOREIGN_LAYER_MEDIA_TYPE,
  DOCKER_V2S2_FOREIGN_LAYER_GZIP_MEDIA_TYPE,
];

/**
 * Parses and validates a Docker schema 2 manifest. The `mediaType` field is required and every layer must
 * have a Docker layer media type, as containers/image's `Schema2FromManifest` requires.
 *
 * @throws {@link ImageError} `ERR_INVALID_MANIFEST`, `ERR_INVALID_DIGEST`, `ERR_UNSUPPORTED_MEDIA_TYPE` or
 * `ERR_TOO_LARGE`, naming the field.
 * @example
 * ```ts
 * const m = parseDockerSchema2(bytes);
 * console.log(m.config.digest, m.layers.length);
 * ```
 */
export function parseDockerSchema2(bytes: Uint8Array): DockerSchema2Manifest {
  const root = parseJsonObject(bytes, DOCKER_V2S2_MEDIA_TYPE);
  checkSchemaVersion(root, 2);
  checkMediaTypeField(root, DOCKER_V2S2_MEDIA_TYPE, true);
  checkUnambiguous(root, DOCKER_V2S2_MEDIA_TYPE, ['config', 'layers']);
  const { config, layers } = readConfigAndLayers(root);
  layers.forEach((layer, i) => {
    if (!DOCKER_LAYER_TYPES.includes(layer.mediaType)) {
      throw new ImageError(
        'ERR_UNSUPPORTED_MEDIA_TYPE',
        `layers[${i}].mediaType: ${JSON.stringify(layer.mediaType)} is not a Docker schema 2 layer type`,
      );
    }
  });
  return Object.freeze({
    kind: 'docker-schema2',
    mediaType: DOCKER_V2S2_MEDIA_TYPE,
    bytes,
    digest: digestBytes(bytes),
    config,
    layers,
  });
}

/**
 * Parses and validates an OCI image manifest. `mediaType` may be absent (image-spec before 1.0.2); layer
 * media types are not restricted, since artifacts use their own.
 *
 * @throws {@link ImageError} `ERR_INVALID_MANIFEST`, `ERR_INVALID_DIGEST`, `ERR_UNSUPPORTED_MEDIA_TYPE` or
 * `ERR_TOO_LARGE`, naming the field.
 * @example
 * ```ts
 * const m = parseOciManifest(bytes);
 * console.log(m.config.mediaType);
 * ```
 */
export function parseOciManifest(bytes: Uint8Array): OciManifest {
  const root = parseJsonObject(bytes, OCI_MANIFEST_MEDIA_TYPE);
  checkSchemaVersion(root, 2);
  checkMediaTypeField(root, OCI_MANIFEST_MEDIA_TYPE, false);
  checkUnambiguous(root, OCI_MANIFEST_MEDIA_TYPE, ['config', 'layers']);
  const { config, layers } = readConfigAndLayers(root);
  return Object.freeze({
    kind: 'oci-manifest',
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    bytes,
    digest: digestBytes(bytes),
    config,
    layers,
    ...readOciExtras(root),
  });
}

function readConfigAndLayers(root: JsonObject): { config: Descriptor; layers: readonly Descriptor[] } {
  const config = parseDescriptor(root.config, 'config');
  const layers = Object.freeze(
    requiredArray(root, 'layers', '').map((layer, i) => parseDescriptor(layer, `layers[${i}]`)),
  );
  return { config, layers };
}
