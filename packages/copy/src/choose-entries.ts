import { type ListEntry, type ManifestList, normalizePlatform } from '@ferry/manifest';
import { ImageError, type Platform } from '@ferry/types';
import type { ImageListSelection } from './copy-options.ts';

/**
 * The entries of `list` to copy under `selection` (not `'system'`, which copies one image without the list),
 * in list order.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for an instance the list does not name;
 * `ERR_NO_MATCHING_PLATFORM` for a platform no entry matches.
 */
export function chooseEntries(
  list: ManifestList,
  selection: Exclude<ImageListSelection, 'system'>,
): readonly ListEntry[] {
  if (selection === 'all') return list.manifests;
  if (selection === 'index-only') return [];
  if ('instances' in selection) {
    for (const digest of selection.instances) {
      if (!list.manifests.some((e) => e.digest === digest)) {
        throw new ImageError('ERR_INVALID_ARGUMENT', `instance ${digest} is not in the list ${list.digest}`);
      }
    }
    return list.manifests.filter((e) => selection.instances.includes(e.digest));
  }
  const chosen = new Set<ListEntry>();
  for (const wanted of selection.platforms) {
    const matching = list.manifests.filter((e) => e.platform !== undefined && platformMatches(e.platform, wanted));
    if (matching.length === 0) {
      throw new ImageError('ERR_NO_MATCHING_PLATFORM', `no image in the list ${list.digest} for ${describe(wanted)}`);
    }
    for (const e of matching) chosen.add(e);
  }
  return list.manifests.filter((e) => chosen.has(e));
}

// every field the caller gave must be equal, after normalization (aarch64 is arm64, …)
function platformMatches(platform: Platform, wanted: Partial<Platform>): boolean {
  const have = normalizePlatform(platform);
  const want = normalizePlatform({
    ...wanted,
    os: wanted.os ?? have.os,
    architecture: wanted.architecture ?? have.architecture,
  });
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (wanted.variant !== undefined && (have.variant ?? '') !== (want.variant ?? '')) return false;
  return wanted.osVersion === undefined || have.osVersion === wanted.osVersion;
}

function describe(p: Partial<Platform>): string {
  return [p.os ?? '*', p.architecture ?? '*', ...(p.variant === undefined ? [] : [p.variant])].join('/');
}
