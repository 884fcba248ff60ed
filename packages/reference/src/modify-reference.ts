import { type Digest, type NamedReference, parseDigest } from '@ferry/types';
import {
  type DigestedReference,
  type DockerReference,
  makeReference,
  type NameOnlyReference,
  type TaggedDigestedReference,
  type TaggedReference,
} from './docker-reference.ts';
import { TAG_RE } from './grammar.ts';
import { invalidReference } from './invalid-reference.ts';

/** The tag Docker assumes when a reference names neither tag nor digest. */
export const DEFAULT_TAG = 'latest';

/**
 * Returns `ref` with its tag set to `tag` (replacing any tag, keeping any digest). `ref` is trusted to be
 * valid; only `tag` is checked against `[\w][\w.-]{0,127}`.
 *
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE` if `tag` is not a valid tag.
 * @example
 * ```ts
 * withTag(parseNormalizedNamed('busybox'), '1.36').toString(); // 'docker.io/library/busybox:1.36'
 * ```
 */
export function withTag(ref: NamedReference, tag: string): TaggedReference | TaggedDigestedReference {
  if (typeof tag !== 'string' || !TAG_RE.test(tag)) {
    throw invalidReference(`${ref.name}:${String(tag)}`, 'invalid tag format, want [\\w][\\w.-]{0,127}');
  }
  return makeReference(ref.domain, ref.path, tag, ref.digest) as TaggedReference | TaggedDigestedReference;
}

/**
 * Returns `ref` with its digest set to `digest` (replacing any digest, keeping any tag). The digest must be
 * `sha256:` or `sha512:` with lowercase hex of the right length; a `Digest` from `parseDigest` always is.
 *
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE` (with the digest error as `cause`) if `digest` is invalid.
 * @example
 * ```ts
 * withDigest(parseNormalizedNamed('busybox'), `sha256:${'a'.repeat(64)}`).kind; // 'digested'
 * ```
 */
export function withDigest(ref: NamedReference, digest: string): DigestedReference | TaggedDigestedReference {
  let parsed: Digest;
  try {
    parsed = parseDigest(digest);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'not a supported digest';
    throw invalidReference(`${ref.name}@${String(digest)}`, `invalid digest format (${reason})`, error);
  }
  return makeReference(ref.domain, ref.path, ref.tag, parsed) as DigestedReference | TaggedDigestedReference;
}

/**
 * Returns the repository name of `ref` alone, without tag or digest: distribution's `TrimNamed`.
 *
 * @example
 * ```ts
 * trimNamed(parseNormalizedNamed('busybox:1.36')).toString(); // 'docker.io/library/busybox'
 * ```
 */
export function trimNamed(ref: NamedReference): NameOnlyReference {
  return makeReference(ref.domain, ref.path) as NameOnlyReference;
}

/**
 * Adds the `:latest` tag to a reference that has neither tag nor digest; returns any other reference as
 * it is (as a {@link DockerReference}). Distribution calls this `TagNameOnly`.
 *
 * @example
 * ```ts
 * withDefaultTag(parseNormalizedNamed('busybox')).toString(); // 'docker.io/library/busybox:latest'
 * ```
 */
export function withDefaultTag(ref: NamedReference): Exclude<DockerReference, NameOnlyReference> {
  const tag = ref.tag ?? (ref.digest === undefined ? DEFAULT_TAG : undefined);
  return makeReference(ref.domain, ref.path, tag, ref.digest) as Exclude<DockerReference, NameOnlyReference>;
}

/**
 * The same as {@link withDefaultTag}, under distribution's name.
 *
 * @example
 * ```ts
 * tagNameOnly(parseNormalizedNamed('busybox')).tag; // 'latest'
 * ```
 */
export const tagNameOnly: (ref: NamedReference) => Exclude<DockerReference, NameOnlyReference> = withDefaultTag;
