import { type CopyOptions, type CopyResult, copyImage, type ImageListSelection } from '@ferry/copy';
import { DOCKER_V2S2_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE } from '@ferry/manifest';
import type { Digest, ImageReference, Platform, PolicyContext } from '@ferry/types';
import { ListImage, originPolicy } from './list-source.ts';
import type { StoredList } from './list-store.ts';
import type { ListFormat } from './list-types.ts';

/** Which instances a push copies along with the list. */
export type PushSelection =
  | 'all'
  /** Only the list (podman's `--all=false`): its instances must already be in the destination. */
  | 'list-only'
  | { readonly instances: readonly Digest[] }
  | { readonly platforms: readonly Partial<Platform>[] };

/** Options of {@link pushManifestList}: those of `copyImage` that apply, and the list's own. */
export interface PushListOptions
  extends Omit<CopyOptions, 'imageListSelection' | 'forceManifestMediaType' | 'optimizeDestinationImageAlreadyExists'> {
  /**
   * Turns an origin recorded in the store (`transport:reference`) into a reference, e.g.
   * `(text) => defaultTransports().parse(text)`.
   */
  readonly resolveOrigin: (text: string) => ImageReference;
  /**
   * The format of the pushed list and of its instances (`oci` or `v2s2`); instances of the other format are
   * converted, which changes their digests (the list follows).
   * @default the list's own format, instances as they are
   */
  readonly format?: ListFormat;
  /** @default 'all' */
  readonly selection?: PushSelection;
}

/**
 * Pushes a stored list: copies every selected instance from where it was added to `destination` (blobs in
 * parallel under one concurrency limit, reusing blobs the destination has), then puts the list last, so a
 * failed push leaves no list manifest behind. Each instance is judged by `policy` as an image of its origin;
 * with `signers`, the list is signed. Resolves to the pushed list's digest and bytes.
 *
 * @throws {@link ImageError} `ERR_MANIFEST_CONVERSION` when the list holds what the format cannot,
 * `ERR_MANIFEST_UNKNOWN` when an instance is no longer where it was added from, and any copy error.
 * @example
 * ```ts
 * const stored = await openListStore().load('app');
 * const transports = defaultTransports();
 * const { digest } = await pushManifestList(policy, stored, transports.parse('docker://registry.example/app:v1'), {
 *   resolveOrigin: (text) => transports.parse(text),
 * });
 * ```
 */
export async function pushManifestList(
  policy: PolicyContext,
  stored: StoredList,
  destination: ImageReference,
  options: PushListOptions,
): Promise<CopyResult> {
  const { resolveOrigin, format, selection, ...copyOptions } = options;
  const serialized = stored.list.serialize(format ?? stored.list.format);
  const image = new ListImage({
    name: stored.name,
    list: { bytes: serialized.bytes, mediaType: serialized.mediaType },
    origins: originResolvers(stored.origins, resolveOrigin),
    ...(copyOptions.sourceOptions === undefined ? {} : { systemOptions: copyOptions.sourceOptions }),
  });
  try {
    return await copyImage(originPolicy(policy, image), destination, image.reference, {
      ...copyOptions,
      imageListSelection: listSelection(selection ?? 'all'),
      ...(format === undefined
        ? {}
        : { forceManifestMediaType: format === 'v2s2' ? DOCKER_V2S2_MEDIA_TYPE : OCI_MANIFEST_MEDIA_TYPE }),
    });
  } finally {
    await image.close();
  }
}

function listSelection(selection: PushSelection): ImageListSelection {
  if (selection === 'all') return 'all';
  if (selection === 'list-only') return 'index-only';
  return selection;
}

// one resolver per distinct origin text, so instances added from one image share one opened source
function originResolvers(
  origins: ReadonlyMap<Digest, string>,
  resolveOrigin: (text: string) => ImageReference,
): ReadonlyMap<Digest, () => ImageReference> {
  const byText = new Map<string, () => ImageReference>();
  const out = new Map<Digest, () => ImageReference>();
  for (const [digest, text] of origins) {
    let resolver = byText.get(text);
    if (resolver === undefined) {
      let ref: ImageReference | undefined;
      resolver = () => {
        ref ??= resolveOrigin(text);
        return ref;
      };
      byText.set(text, resolver);
    }
    out.set(digest, resolver);
  }
  return out;
}
