import type {
  DigestedReference,
  DockerReference,
  NameOnlyReference,
  TaggedDigestedReference,
  TaggedReference,
} from './docker-reference.ts';

/**
 * Tells whether `ref` is a repository name alone, with neither tag nor digest.
 *
 * @example
 * ```ts
 * isNameOnly(parseNormalizedNamed('busybox')); // true
 * ```
 */
export function isNameOnly(ref: DockerReference): ref is NameOnlyReference {
  return ref.kind === 'name';
}

/**
 * Tells whether `ref` has a tag (it may also have a digest): distribution's `NamedTagged`.
 *
 * @example
 * ```ts
 * isTagged(parseNormalizedNamed('busybox:1.36')); // true
 * ```
 */
export function isTagged(ref: DockerReference): ref is TaggedReference | TaggedDigestedReference {
  return ref.kind === 'tagged' || ref.kind === 'tagged-digested';
}

/**
 * Tells whether `ref` has a digest (it may also have a tag): distribution's `Canonical`.
 *
 * @example
 * ```ts
 * isDigested(parseNormalizedNamed(`busybox@sha256:${'a'.repeat(64)}`)); // true
 * ```
 */
export function isDigested(ref: DockerReference): ref is DigestedReference | TaggedDigestedReference {
  return ref.kind === 'digested' || ref.kind === 'tagged-digested';
}

/**
 * Tells whether `ref` has both a tag and a digest (`name:tag@digest`).
 *
 * @example
 * ```ts
 * isTaggedDigested(parseNormalizedNamed(`busybox:1@sha256:${'a'.repeat(64)}`)); // true
 * ```
 */
export function isTaggedDigested(ref: DockerReference): ref is TaggedDigestedReference {
  return ref.kind === 'tagged-digested';
}
