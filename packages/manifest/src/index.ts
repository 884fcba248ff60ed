/**
 * Container image manifests: Docker schema 1 and 2, OCI manifests and indexes, image configs. Parse and
 * validate, digest, guess media types, read and update layers, convert between formats, choose a platform.
 *
 * @packageDocumentation
 */

export { chooseInstance, listInstances } from './choose-instance.ts';
export { type Schema1LayerFacts, schema1ToSchema2 } from './convert-from-schema1.ts';
export { dockerListToOciIndex, ociIndexToDockerList } from './convert-list.ts';
export {
  type ConvertedManifest,
  type ConvertManifestOptions,
  convertManifest,
  type ExtraBlob,
} from './convert-manifest.ts';
export { ociToSchema2, schema2ToOci } from './convert-schema2-oci.ts';
export {
  GZIPPED_EMPTY_LAYER,
  GZIPPED_EMPTY_LAYER_DIGEST,
  type Schema1Identity,
  schema2ToSchema1,
} from './convert-to-schema1.ts';
export { guessMediaType } from './guess-media-type.ts';
export {
  compressionOfMediaType,
  type LayerCompression,
  type LayerFormat,
  layerMediaTypeFor,
  type NamedCompression,
} from './layer-compression.ts';
export { configDescriptor, type LayerInfo, layerInfos } from './layer-infos.ts';
export { digestedPayload, manifestDigest, matchesDigest } from './manifest-digest.ts';
export type {
  Descriptor,
  DockerManifestList,
  DockerSchema1Manifest,
  DockerSchema2Manifest,
  ImageManifest,
  ListEntry,
  Manifest,
  ManifestList,
  OciIndex,
  OciManifest,
  Schema1HistoryEntry,
} from './manifest-types.ts';
export {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S2_CONFIG_MEDIA_TYPE,
  DOCKER_V2S2_FOREIGN_LAYER_GZIP_MEDIA_TYPE,
  DOCKER_V2S2_FOREIGN_LAYER_MEDIA_TYPE,
  DOCKER_V2S2_LAYER_MEDIA_TYPE,
  DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  ENCRYPTED_SUFFIX,
  isEncryptedMediaType,
  isListMediaType,
  isManifestMediaType,
  MANIFEST_MEDIA_TYPES,
  type ManifestMediaType,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_EMPTY_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_LAYER_ENCRYPTED_MEDIA_TYPE,
  OCI_LAYER_GZIP_ENCRYPTED_MEDIA_TYPE,
  OCI_LAYER_GZIP_MEDIA_TYPE,
  OCI_LAYER_MEDIA_TYPE,
  OCI_LAYER_NONDISTRIBUTABLE_GZIP_MEDIA_TYPE,
  OCI_LAYER_NONDISTRIBUTABLE_MEDIA_TYPE,
  OCI_LAYER_NONDISTRIBUTABLE_ZSTD_MEDIA_TYPE,
  OCI_LAYER_ZSTD_ENCRYPTED_MEDIA_TYPE,
  OCI_LAYER_ZSTD_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from './media-types.ts';
export { normalizeMediaType } from './normalize-media-type.ts';
export { formatPlatform, normalizePlatform } from './normalize-platform.ts';
export {
  type ConfigHistoryEntry,
  type ContainerConfig,
  type ImageConfig,
  parseImageConfig,
} from './parse-image-config.ts';
export { parseDockerSchema2, parseOciManifest } from './parse-image-manifest.ts';
export { parseDockerManifestList, parseOciIndex } from './parse-list.ts';
export { parseManifest } from './parse-manifest.ts';
export { parseDockerSchema1 } from './parse-schema1.ts';
export { platformFromNode, systemPlatform } from './system-platform.ts';
export { type LayerUpdate, updateLayerInfos } from './update-layer-infos.ts';
