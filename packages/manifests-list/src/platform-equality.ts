import { normalizePlatform } from '@ferry/manifest';
import type { ListPlatform } from './list-types.ts';

/**
 * Tells whether two instances' platforms collide: same os, architecture and variant after normalization
 * (`arm64` equals `arm64/v8`, `x86_64` equals `amd64`), same `osVersion`, and the same `osFeatures` and
 * `features` as sets. An instance without a platform never collides, nor does one whose platform is
 * `unknown/unknown` (what BuildKit gives its attestation manifests, several per list).
 *
 * @example
 * ```ts
 * samePlatform({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }); // true
 * ```
 */
export function samePlatform(a: ListPlatform | undefined, b: ListPlatform | undefined): boolean {
  if (a === undefined || b === undefined || isUnknown(a) || isUnknown(b)) return false;
  const na = normalizePlatform(a);
  const nb = normalizePlatform(b);
  return (
    na.os === nb.os &&
    na.architecture === nb.architecture &&
    (na.variant ?? '') === (nb.variant ?? '') &&
    (a.osVersion ?? '') === (b.osVersion ?? '') &&
    sameSet(a.osFeatures, b.osFeatures) &&
    sameSet(a.features, b.features)
  );
}

function isUnknown(p: ListPlatform): boolean {
  return p.os === 'unknown' && p.architecture === 'unknown';
}

function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const sa = new Set(a ?? []);
  const sb = new Set(b ?? []);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}
