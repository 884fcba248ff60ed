import { MANIFEST_LIMIT, readLimited, verifyStream } from '@ferry/blob';
import {
  chooseInstance,
  configDescriptor,
  type ImageManifest,
  type Manifest,
  parseManifest,
  systemPlatform,
} from '@ferry/manifest';
import type { CallOptions, ManifestBlob, Platform } from '@ferry/types';
import type { InternalSource } from '@ferry/types/internal';

/** The top-level manifest of a source and the single image chosen from it. */
export interface ResolvedImage {
  /** The top-level manifest as stored (a list, or the image itself). */
  readonly top: ManifestBlob;
  /** The parsed top-level manifest. */
  readonly topParsed: Manifest;
  /** The image: the top-level manifest, or the list instance for the wanted platform. */
  readonly image: ImageManifest;
}

/** Reads the top-level manifest and, for a list, the instance matching `platform` (else the system's). */
export async function resolveImage(
  source: InternalSource,
  platform: Partial<Platform> | undefined,
  options: CallOptions,
): Promise<ResolvedImage> {
  const top = await source.getManifest(undefined, options);
  const topParsed = parseManifest(top.bytes, top.mediaType);
  if (topParsed.kind !== 'docker-manifest-list' && topParsed.kind !== 'oci-index') {
    return { top, topParsed, image: topParsed };
  }
  const entry = chooseInstance(topParsed, { ...systemPlatform(), ...platform });
  const instance = await source.getManifest(entry.digest, options);
  const image = parseManifest(instance.bytes, instance.mediaType ?? entry.mediaType);
  if (image.kind === 'docker-manifest-list' || image.kind === 'oci-index') {
    return { top, topParsed, image: parseManifest(instance.bytes, entry.mediaType) as ImageManifest };
  }
  return { top, topParsed, image };
}

/** Reads an image's config blob, verified against its descriptor; `undefined` for schema 1. */
export async function readConfig(
  source: InternalSource,
  image: ImageManifest,
  options: CallOptions,
): Promise<Uint8Array | undefined> {
  const descriptor = configDescriptor(image);
  if (descriptor === undefined) return undefined;
  const { stream } = await source.getBlob(descriptor, options);
  const verified = verifyStream(stream, {
    digest: descriptor.digest,
    size: descriptor.size,
    what: 'config',
    ...options,
  });
  return readLimited(verified, MANIFEST_LIMIT, { what: `config ${descriptor.digest}`, ...options });
}
