import { DOCKER_V2S1_SIGNED_MEDIA_TYPE, isManifestMediaType, type ManifestMediaType } from './media-types.ts';

/** Strips parameters (`; charset=utf-8`), surrounding space and case from a `Content-Type` value. */
export function essenceOfMediaType(input: string): string {
  const semicolon = input.indexOf(';');
  return (semicolon === -1 ? input : input.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * The effective manifest media type of a type a server returned, as containers/image's `NormalizedMIMEType`:
 * a known manifest type is kept; `application/json` and anything unrecognized (registries behind CDNs send
 * `text/plain` and worse) are taken as signed schema 1, which is what docker/distribution falls back to.
 * Parameters such as `; charset=utf-8` are ignored first.
 *
 * @example
 * ```ts
 * normalizeMediaType('application/json'); // 'application/vnd.docker.distribution.manifest.v1+prettyjws'
 * ```
 */
export function normalizeMediaType(input: string): ManifestMediaType {
  const essence = essenceOfMediaType(input);
  return isManifestMediaType(essence) ? essence : DOCKER_V2S1_SIGNED_MEDIA_TYPE;
}
