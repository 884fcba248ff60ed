/** Docker image manifest, schema 1, without a JWS signature. */
export const DOCKER_V2S1_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v1+json';
/** Docker image manifest, schema 1, with a JWS signature (`signatures`). */
export const DOCKER_V2S1_SIGNED_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
/** Docker image manifest, schema 2. */
export const DOCKER_V2S2_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
/** Docker manifest list (schema 2). */
export const DOCKER_V2_LIST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Docker image config referenced by a schema 2 manifest. */
export const DOCKER_V2S2_CONFIG_MEDIA_TYPE = 'application/vnd.docker.container.image.v1+json';
/** Docker layer, gzip-compressed tar. */
export const DOCKER_V2S2_LAYER_MEDIA_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
/** Docker layer, uncompressed tar. */
export const DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE = 'application/vnd.docker.image.rootfs.diff.tar';
/** Docker foreign layer (downloaded from `urls`), uncompressed tar. */
export const DOCKER_V2S2_FOREIGN_LAYER_MEDIA_TYPE = 'application/vnd.docker.image.rootfs.foreign.diff.tar';
/** Docker foreign layer (downloaded from `urls`), gzip-compressed tar. */
export const DOCKER_V2S2_FOREIGN_LAYER_GZIP_MEDIA_TYPE = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

/** OCI image manifest. */
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
/** OCI image index. */
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
/** OCI image config. */
export const OCI_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
/** OCI empty descriptor (`{}`), used as the config of artifacts. */
export const OCI_EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
/** OCI layer, uncompressed tar. */
export const OCI_LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar';
/** OCI layer, gzip-compressed tar. */
export const OCI_LAYER_GZIP_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** OCI layer, zstd-compressed tar. */
export const OCI_LAYER_ZSTD_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** OCI non-distributable layer (deprecated), uncompressed tar. */
export const OCI_LAYER_NONDISTRIBUTABLE_MEDIA_TYPE = 'application/vnd.oci.image.layer.nondistributable.v1.tar';
/** OCI non-distributable layer (deprecated), gzip-compressed tar. */
export const OCI_LAYER_NONDISTRIBUTABLE_GZIP_MEDIA_TYPE =
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
/** OCI non-distributable layer (deprecated), zstd-compressed tar. */
export const OCI_LAYER_NONDISTRIBUTABLE_ZSTD_MEDIA_TYPE =
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd';

/** Suffix ocicrypt appends to a layer media type when the layer is encrypted. */
export const ENCRYPTED_SUFFIX = '+encrypted';
/** Encrypted OCI layer, uncompressed. */
export const OCI_LAYER_ENCRYPTED_MEDIA_TYPE: string = `${OCI_LAYER_MEDIA_TYPE}${ENCRYPTED_SUFFIX}`;
/** Encrypted OCI layer, gzip-compressed. */
export const OCI_LAYER_GZIP_ENCRYPTED_MEDIA_TYPE: string = `${OCI_LAYER_GZIP_MEDIA_TYPE}${ENCRYPTED_SUFFIX}`;
/** Encrypted OCI layer, zstd-compressed. */
export const OCI_LAYER_ZSTD_ENCRYPTED_MEDIA_TYPE: string = `${OCI_LAYER_ZSTD_MEDIA_TYPE}${ENCRYPTED_SUFFIX}`;

/** The manifest media types Ferry parses. */
export type ManifestMediaType =
  | typeof DOCKER_V2S1_MEDIA_TYPE
  | typeof DOCKER_V2S1_SIGNED_MEDIA_TYPE
  | typeof DOCKER_V2S2_MEDIA_TYPE
  | typeof DOCKER_V2_LIST_MEDIA_TYPE
  | typeof OCI_MANIFEST_MEDIA_TYPE
  | typeof OCI_INDEX_MEDIA_TYPE;

/** Every manifest media type Ferry parses, in the order a client should request them. */
export const MANIFEST_MEDIA_TYPES: readonly ManifestMediaType[] = Object.freeze([
  OCI_MANIFEST_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2_LIST_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
] as const);

/** Tells whether `mediaType` is one of the manifest media types Ferry parses. */
export function isManifestMediaType(mediaType: string): mediaType is ManifestMediaType {
  return (MANIFEST_MEDIA_TYPES as readonly string[]).includes(mediaType);
}

/** Tells whether `mediaType` is a list of images (Docker manifest list or OCI index). */
export function isListMediaType(mediaType: string): boolean {
  return mediaType === DOCKER_V2_LIST_MEDIA_TYPE || mediaType === OCI_INDEX_MEDIA_TYPE;
}

/** Tells whether a layer media type carries the `+encrypted` suffix. */
export function isEncryptedMediaType(mediaType: string): boolean {
  return mediaType.endsWith(ENCRYPTED_SUFFIX);
}
