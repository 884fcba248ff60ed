import { type Descriptor, type ListEntry, parseManifest } from '@ferry/manifest';
import { ImageError } from '@ferry/types';
import type { ListInstance, ListPlatform } from './list-types.ts';

/** The members of a list value, as parsed or edited. */
export interface ListState {
  readonly mediaType: string;
  readonly instances: readonly ListInstance[];
  readonly annotations: Readonly<Record<string, string>>;
  readonly subject: Descriptor | undefined;
  readonly artifactType: string | undefined;
}

/**
 * Parses a Docker manifest list or an OCI index into a {@link ListState}, with @ferry/manifest's validation.
 * Fields the value does not model (an entry's `data`, unknown members) are dropped.
 *
 * @throws {@link ImageError} `ERR_INVALID_MANIFEST` for a single-image manifest or an invalid list, and
 * `parseManifest`'s other codes (`ERR_UNSUPPORTED_MEDIA_TYPE`, `ERR_TOO_LARGE`, `ERR_INVALID_DIGEST`).
 */
export function parseListState(bytes: Uint8Array, mediaType: string | undefined): ListState {
  const parsed = parseManifest(bytes, mediaType);
  if (parsed.kind !== 'docker-manifest-list' && parsed.kind !== 'oci-index') {
    throw new ImageError('ERR_INVALID_MANIFEST', `a ${parsed.mediaType} manifest is not a manifest list or index`);
  }
  // parseManifest validated the shape; only `platform.features`, which it does not keep, is read again
  const raw = JSON.parse(new TextDecoder().decode(bytes)) as { manifests: { platform?: { features?: unknown } }[] };
  const instances = parsed.manifests.map((entry, i) => toInstance(entry, raw.manifests[i]?.platform?.features));
  if (parsed.kind === 'docker-manifest-list') {
    return { mediaType: parsed.mediaType, instances, annotations: {}, subject: undefined, artifactType: undefined };
  }
  return {
    mediaType: parsed.mediaType,
    instances,
    annotations: parsed.annotations ?? {},
    subject: parsed.subject,
    artifactType: nonEmpty(parsed.artifactType),
  };
}

function toInstance(entry: ListEntry, features: unknown): ListInstance {
  const platform = entry.platform === undefined ? undefined : toPlatform(entry.platform, features);
  return {
    digest: entry.digest,
    size: entry.size,
    mediaType: entry.mediaType,
    ...(platform === undefined ? {} : { platform }),
    ...(entry.annotations === undefined || Object.keys(entry.annotations).length === 0
      ? {}
      : { annotations: entry.annotations }),
    ...(nonEmpty(entry.artifactType) === undefined ? {} : { artifactType: entry.artifactType }),
    ...(entry.urls === undefined || entry.urls.length === 0 ? {} : { urls: entry.urls }),
  };
}

function toPlatform(p: NonNullable<ListEntry['platform']>, features: unknown): ListPlatform {
  const list = Array.isArray(features) && features.length > 0 ? (features as string[]) : undefined;
  return {
    os: p.os,
    architecture: p.architecture,
    ...(p.variant === undefined ? {} : { variant: p.variant }),
    ...(p.osVersion === undefined ? {} : { osVersion: p.osVersion }),
    ...(p.osFeatures === undefined || p.osFeatures.length === 0 ? {} : { osFeatures: p.osFeatures }),
    ...(list === undefined ? {} : { features: list }),
  };
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}
