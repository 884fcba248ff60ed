import { MANIFEST_LIMIT, readLimited, verifyStream } from '@ferry/blob';
import {
  type Descriptor,
  DOCKER_V2S2_CONFIG_MEDIA_TYPE,
  type ImageManifest,
  manifestDigest,
  matchesDigest,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_EMPTY_MEDIA_TYPE,
  parseManifest,
} from '@ferry/manifest';
import { type CallOptions, type Digest, ImageError, type ImageSource } from '@ferry/types';
import { configPlatform } from './config-platform.ts';
import { canonicalInstance } from './instance-value.ts';
import type { ListInstance, ListPlatform } from './list-types.ts';

const IMAGE_CONFIG_TYPES: readonly string[] = [OCI_CONFIG_MEDIA_TYPE, DOCKER_V2S2_CONFIG_MEDIA_TYPE];

/** Options of {@link describeImage}. */
export interface DescribeImageOptions extends CallOptions {
  /**
   * The platform the list entry names for the image: used as it is, so no config is read.
   * @default read from the image's config (none for an artifact)
   */
  readonly platformHint?: ListPlatform;
}

/**
 * The {@link ListInstance} for one image of `source` (its top-level manifest, or the list instance
 * `instance`): digest, size and media type from the manifest (read under the source's 4 MiB limit); the
 * platform from `platformHint` when given, else:
 *
 * - Docker schema 2 and OCI image manifests: from the image config (os, architecture, variant, os.version,
 *   os.features), read bounded to 4 MiB and verified against its digest and size;
 * - Docker schema 1: its `architecture` on `linux`;
 * - OCI artifacts (a config that is not an image config, or an `artifactType`): none. Their `artifactType`
 *   is the manifest's, else the config's media type (as the OCI spec defines an index entry's).
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when the manifest is a list; `ERR_INVALID_IMAGE` when a
 * config lacks its os or architecture or is not JSON; `ERR_DIGEST_MISMATCH` when the source returns another
 * manifest than `instance`; `ERR_TOO_LARGE` for a config over 4 MiB; and the source's errors.
 * @example
 * ```ts
 * await using source = await ref.newImageSource();
 * const instance = await describeImage(source, undefined); // { digest, size, mediaType, platform }
 * const list = ManifestList.empty().add(instance);
 * ```
 */
export async function describeImage(
  source: ImageSource,
  instance: Digest | undefined,
  options: DescribeImageOptions = {},
): Promise<ListInstance> {
  const call: CallOptions = options.signal === undefined ? {} : { signal: options.signal };
  const name =
    `${source.reference.transport.name}:${source.reference.withinTransport}` +
    (instance === undefined ? '' : `@${instance}`);
  const blob = await source.getManifest(instance, call);
  const manifest = parseManifest(blob.bytes, blob.mediaType);
  if (manifest.kind === 'docker-manifest-list' || manifest.kind === 'oci-index') {
    throw new ImageError('ERR_INVALID_ARGUMENT', `${name} is a list; add it with all or choose an instance`);
  }
  if (instance !== undefined && !matchesDigest(blob.bytes, instance)) {
    throw new ImageError('ERR_DIGEST_MISMATCH', `${name}: the source returned a manifest that is not ${instance}`);
  }
  const artifactType = artifactTypeOf(manifest);
  const platform =
    options.platformHint ?? (artifactType === undefined ? await platformOf(source, manifest, name, call) : undefined);
  return canonicalInstance({
    digest: instance ?? manifestDigest(blob.bytes),
    size: blob.bytes.byteLength,
    mediaType: manifest.mediaType,
    ...(platform === undefined ? {} : { platform }),
    ...(artifactType === undefined ? {} : { artifactType }),
  });
}

function artifactTypeOf(manifest: ImageManifest): string | undefined {
  if (manifest.kind !== 'oci-manifest') return undefined;
  if (manifest.artifactType !== undefined && manifest.artifactType !== '') return manifest.artifactType;
  const configType = manifest.config.mediaType;
  return IMAGE_CONFIG_TYPES.includes(configType) || configType === OCI_EMPTY_MEDIA_TYPE ? undefined : configType;
}

async function platformOf(
  source: ImageSource,
  manifest: ImageManifest,
  name: string,
  call: CallOptions,
): Promise<ListPlatform | undefined> {
  if (manifest.kind === 'docker-schema1') {
    if (manifest.architecture === '') {
      throw new ImageError('ERR_INVALID_IMAGE', `${name}: the schema 1 manifest has no architecture`);
    }
    return { os: 'linux', architecture: manifest.architecture };
  }
  // an empty config (an artifact without artifactType) names no platform
  if (!IMAGE_CONFIG_TYPES.includes(manifest.config.mediaType)) return undefined;
  const what = `config ${manifest.config.digest} of ${name}`;
  return configPlatform(await readConfig(source, manifest.config, what, call), what);
}

async function readConfig(
  source: ImageSource,
  config: Descriptor,
  what: string,
  call: CallOptions,
): Promise<Uint8Array> {
  if (config.size > MANIFEST_LIMIT) {
    throw new ImageError('ERR_TOO_LARGE', `${what} is ${config.size} bytes, over the ${MANIFEST_LIMIT}-byte limit`);
  }
  const { stream } = await source.getBlob(
    { digest: config.digest, size: config.size, mediaType: config.mediaType },
    call,
  );
  const verified = verifyStream(stream, { ...call, digest: config.digest, size: config.size, what });
  return readLimited(verified, MANIFEST_LIMIT, { ...call, what });
}
