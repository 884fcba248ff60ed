import type { NamedReference } from '@ferry/types';
import { type DockerReference, makeReference } from './docker-reference.ts';
import { DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX } from './normalize.ts';

/**
 * The short form users type: the Docker Hub domain dropped, and `library/` too for official images with a
 * one-component name. Other domains are kept. `docker.io/library/busybox:latest` → `busybox:latest`.
 */
function familiarize(ref: NamedReference): DockerReference {
  if (ref.domain !== DEFAULT_DOMAIN) return makeReference(ref.domain, ref.path, ref.tag, ref.digest);
  let path = ref.path;
  if (path.startsWith(OFFICIAL_REPO_PREFIX) && !path.slice(OFFICIAL_REPO_PREFIX.length).includes('/')) {
    path = path.slice(OFFICIAL_REPO_PREFIX.length);
  }
  return makeReference('', path, ref.tag, ref.digest);
}

/**
 * The familiar (short) repository name of `ref`, without tag or digest: `docker.io/library/busybox` →
 * `busybox`, `docker.io/user/app` → `user/app`, `quay.io/org/app` unchanged.
 *
 * @example
 * ```ts
 * familiarName(parseNormalizedNamed('busybox:1.36')); // 'busybox'
 * ```
 */
export function familiarName(ref: NamedReference): string {
  return familiarize(ref).name;
}

/**
 * The familiar (short) text of `ref`, with its tag and digest: `docker.io/library/busybox:latest` →
 * `busybox:latest`. Parsing it with `parseNormalizedNamed` gives `ref` back.
 *
 * @example
 * ```ts
 * familiarString(parseNormalizedNamed('docker.io/library/busybox:latest')); // 'busybox:latest'
 * ```
 */
export function familiarString(ref: NamedReference): string {
  return familiarize(ref).toString();
}
