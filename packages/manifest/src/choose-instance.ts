import { ImageError, type Platform } from '@ferry/types';
import type { ListEntry, ManifestList } from './manifest-types.ts';
import { formatPlatform, normalizePlatform } from './normalize-platform.ts';
import { systemPlatform } from './system-platform.ts';

/**
 * The instances of a list, in order: digest, size, media type, platform (when the list gives one).
 *
 * @example
 * ```ts
 * for (const i of listInstances(list)) console.log(i.digest, i.platform?.architecture);
 * ```
 */
export function listInstances(list: ManifestList): readonly ListEntry[] {
  return list.manifests;
}

/**
 * The variants an image may have to run on `wanted` (normalized), best first. Like containerd's `Only`:
 * `arm/v7` also runs `v6` and `v5`, `amd64/v3` also runs `v2` and `v1`, `arm64/v9` also runs `v8`.
 * Unlike containerd, `arm64` does not fall back to 32-bit `arm`, as containers/image does not either: a
 * 64-bit host should not silently get a 32-bit image.
 */
function compatibleVariants(wanted: Platform): readonly string[] {
  const variant = wanted.variant ?? '';
  const version = /^v(\d+)$/.exec(variant)?.[1];
  const n = version === undefined ? Number.NaN : Number(version);
  if (wanted.architecture === 'arm' && n >= 5) return range(n, 5);
  if (wanted.architecture === 'amd64') return n >= 2 ? [...range(n, 2), ''] : [''];
  if (wanted.architecture === 'arm64' && n >= 8) return range(n, 8);
  return [variant];
}

function range(from: number, to: number): string[] {
  const out: string[] = [];
  for (let v = from; v >= to; v--) out.push(`v${v}`);
  return out;
}

/**
 * Chooses the instance of a list that best runs on `platform`; missing members are taken from
 * {@link systemPlatform} (the variant only when the architecture is also the system's, as containers/image
 * does). Both sides are normalized with {@link normalizePlatform}. An entry matches when OS and
 * architecture are equal and its variant is one the wanted platform runs (see `compatibleVariants`): an
 * exact variant first, then older ones; an entry that names no variant matches last. Ties go to the entry
 * listed first. Entries without a platform never match. `os.version` is not considered.
 *
 * @throws {@link ImageError} `ERR_NO_MATCHING_PLATFORM` naming the wanted platform and the available ones.
 * @example
 * ```ts
 * const entry = chooseInstance(list, { os: 'linux', architecture: 'arm64' });
 * const manifest = await source.getManifest(entry.digest);
 * ```
 */
export function chooseInstance(list: ManifestList, platform: Partial<Platform> = {}): ListEntry {
  const wanted = normalizePlatform(completeWanted(platform));
  const variants = compatibleVariants(wanted);
  let best: { entry: ListEntry; rank: number } | undefined;
  for (const entry of list.manifests) {
    if (entry.platform === undefined) continue;
    const candidate = normalizePlatform(entry.platform);
    if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) continue;
    let rank = variants.indexOf(candidate.variant ?? '');
    if (rank === -1 && (entry.platform.variant ?? '') === '') rank = variants.length;
    if (rank === -1) continue;
    if (best === undefined || rank < best.rank) best = { entry, rank };
  }
  if (best !== undefined) return best.entry;
  const available = list.manifests.map((e) =>
    e.platform === undefined ? '(no platform)' : formatPlatform(e.platform),
  );
  throw new ImageError(
    'ERR_NO_MATCHING_PLATFORM',
    `no image in the list ${list.digest} for ${formatPlatform(wanted)}; available: ${available.join(', ') || 'none'}`,
  );
}

function completeWanted(platform: Partial<Platform>): Platform {
  const system = systemPlatform();
  const architecture = platform.architecture ?? system.architecture;
  const variant = platform.variant ?? (platform.architecture === undefined ? system.variant : undefined);
  return {
    os: platform.os ?? system.os,
    architecture,
    ...(variant === undefined ? {} : { variant }),
  };
}
