import { chooseInstance, isListMediaType, parseManifest } from '@ferry/manifest';
import type { CallOptions, Digest, ImageReference, Platform, SystemOptions } from '@ferry/types';
import { describeImage } from './describe-image.ts';
import type { ListInstance } from './list-types.ts';
import { ManifestList } from './manifest-list.ts';

/** Options of {@link addFromReference} and {@link listFromReference}. */
export interface AddFromReferenceOptions extends CallOptions {
  /**
   * When the reference names a list: add every instance (`true`), or only the one for `platform` (as
   * `podman manifest add` without `--all`).
   * @default false
   */
  readonly all?: boolean;
  /** The platform to choose from a list when `all` is false. @default the running system's */
  readonly platform?: Partial<Platform>;
  /** Options for opening the reference. @default {} */
  readonly systemOptions?: SystemOptions;
}

/** A list with new instances, and where each of them was added from. */
export interface AddedInstances {
  readonly list: ManifestList;
  readonly added: readonly ListInstance[];
  /** Digest → `transport:reference` of each added instance. */
  readonly origins: ReadonlyMap<Digest, string>;
}

/**
 * Adds the image `ref` names to `list`, reading its manifest and config for the platform; a list reference
 * adds every instance with `all`, else the one for the platform. An instance already in `list` is replaced,
 * another instance with the same platform is refused.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for a duplicate platform, `ERR_NO_MATCHING_PLATFORM`
 * when a list has no instance for the platform, and the source's errors.
 * @example
 * ```ts
 * const { list, origins } = await addFromReference(ManifestList.empty(), transports.parse('oci:/srv/app:amd64'));
 * ```
 */
export async function addFromReference(
  list: ManifestList,
  ref: ImageReference,
  options: AddFromReferenceOptions = {},
): Promise<AddedInstances> {
  const added = await instancesOf(ref, options);
  let next = list;
  for (const instance of added) next = next.add(instance);
  const origin = `${ref.transport.name}:${ref.withinTransport}`;
  return { list: next, added, origins: new Map(added.map((i) => [i.digest, origin])) };
}

/**
 * Loads a list from any reference to edit it: a list as it is (every instance's origin being `ref`), a
 * single image as a list of one.
 *
 * @example
 * ```ts
 * const { list } = await listFromReference(transports.parse('docker://quay.io/org/app:v1'));
 * ```
 */
export async function listFromReference(
  ref: ImageReference,
  options: Omit<AddFromReferenceOptions, 'all' | 'platform'> = {},
): Promise<AddedInstances> {
  await using source = await ref.newImageSource({ ...options.systemOptions, ...signalOnly(options) });
  const top = await source.getManifest(undefined, signalOnly(options));
  const origin = `${ref.transport.name}:${ref.withinTransport}`;
  if (isListMediaType(top.mediaType ?? parseManifest(top.bytes).mediaType)) {
    const list = ManifestList.parse(top.bytes, top.mediaType);
    return { list, added: list.instances, origins: new Map(list.instances.map((i) => [i.digest, origin])) };
  }
  const instance = await describeImage(source, undefined, signalOnly(options));
  return { list: ManifestList.empty().add(instance), added: [instance], origins: new Map([[instance.digest, origin]]) };
}

async function instancesOf(ref: ImageReference, options: AddFromReferenceOptions): Promise<ListInstance[]> {
  await using source = await ref.newImageSource({ ...options.systemOptions, ...signalOnly(options) });
  const top = await source.getManifest(undefined, signalOnly(options));
  const parsed = parseManifest(top.bytes, top.mediaType);
  if (parsed.kind !== 'docker-manifest-list' && parsed.kind !== 'oci-index') {
    return [await describeImage(source, undefined, signalOnly(options))];
  }
  const entries =
    options.all === true
      ? parsed.manifests
      : [chooseInstance(parsed, options.platform ?? options.systemOptions?.platform)];
  // the hint comes from the list as ManifestList reads it, which keeps Docker's `features`
  const list = ManifestList.parse(top.bytes, top.mediaType);
  const out: ListInstance[] = [];
  for (const entry of entries) {
    const hint = list.instance(entry.digest).platform;
    out.push(
      await describeImage(source, entry.digest, {
        ...signalOnly(options),
        ...(hint === undefined ? {} : { platformHint: hint }),
      }),
    );
  }
  return out;
}

function signalOnly(options: CallOptions): CallOptions {
  return options.signal === undefined ? {} : { signal: options.signal };
}
