import type { Digest, Platform } from '@ferry/types';
import type {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from './media-types.ts';

/** A content descriptor: what a manifest says about a blob or another manifest. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  /** Size in bytes: a non-negative safe integer. */
  readonly size: number;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  /** OCI only: the artifact type of the manifest this descriptor names. */
  readonly artifactType?: string;
  /** OCI only: the blob's content, base64-encoded. */
  readonly data?: string;
}

/** An entry of a Docker manifest list or OCI index. */
export interface ListEntry extends Descriptor {
  /** The platform the instance runs on, when the list says. */
  readonly platform?: Platform;
}

/** What every parsed manifest carries. */
interface ParsedBase {
  /** The original bytes, never re-serialized. */
  readonly bytes: Uint8Array;
  /** The manifest's digest (sha256), signatures stripped for signed schema 1. */
  readonly digest: Digest;
}

/** One `history` entry of a schema 1 manifest, with the `v1Compatibility` fields Ferry reads. */
export interface Schema1HistoryEntry {
  /** The JSON text of the entry, exactly as in the manifest. */
  readonly v1Compatibility: string;
  /** The v1 image ID: 64 lowercase hex digits. */
  readonly id: string;
  readonly parent?: string;
  readonly created?: string;
  readonly author?: string;
  readonly comment?: string;
  /** `container_config.Cmd`, joined with spaces into `created_by` when converting. */
  readonly cmd?: readonly string[];
  /** A layer that changes no file (a `throwaway` entry). */
  readonly throwaway: boolean;
}

/**
 * A Docker schema 1 manifest. `fsLayers` and `history` are top layer first, as in the document; consecutive
 * entries with the same v1 ID are collapsed into one, as containers/image does.
 */
export interface DockerSchema1Manifest extends ParsedBase {
  readonly kind: 'docker-schema1';
  readonly mediaType: typeof DOCKER_V2S1_MEDIA_TYPE | typeof DOCKER_V2S1_SIGNED_MEDIA_TYPE;
  readonly name: string;
  readonly tag: string;
  readonly architecture: string;
  readonly fsLayers: readonly Digest[];
  readonly history: readonly Schema1HistoryEntry[];
}

/** A Docker schema 2 image manifest. */
export interface DockerSchema2Manifest extends ParsedBase {
  readonly kind: 'docker-schema2';
  readonly mediaType: typeof DOCKER_V2S2_MEDIA_TYPE;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** An OCI image manifest (an image or an artifact). */
export interface OciManifest extends ParsedBase {
  readonly kind: 'oci-manifest';
  readonly mediaType: typeof OCI_MANIFEST_MEDIA_TYPE;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A Docker manifest list. */
export interface DockerManifestList extends ParsedBase {
  readonly kind: 'docker-manifest-list';
  readonly mediaType: typeof DOCKER_V2_LIST_MEDIA_TYPE;
  readonly manifests: readonly ListEntry[];
}

/** An OCI image index. */
export interface OciIndex extends ParsedBase {
  readonly kind: 'oci-index';
  readonly mediaType: typeof OCI_INDEX_MEDIA_TYPE;
  readonly manifests: readonly ListEntry[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A single-image manifest. */
export type ImageManifest = DockerSchema1Manifest | DockerSchema2Manifest | OciManifest;
/** A list of image manifests. */
export type ManifestList = DockerManifestList | OciIndex;
/** Any parsed manifest; switch on `kind`. */
export type Manifest = ImageManifest | ManifestList;
