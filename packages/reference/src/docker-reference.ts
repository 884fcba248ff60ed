import type { Digest, NamedReference } from '@ferry/types';

/** Which optional parts a {@link DockerReference} carries; the discriminant of the union. */
export type ReferenceKind = 'name' | 'tagged' | 'digested' | 'tagged-digested';

/** A repository name alone: `docker.io/library/busybox`. */
export interface NameOnlyReference extends NamedReference {
  readonly kind: 'name';
  readonly tag?: never;
  readonly digest?: never;
}

/** A name with a tag: `docker.io/library/busybox:latest`. */
export interface TaggedReference extends NamedReference {
  readonly kind: 'tagged';
  readonly tag: string;
  readonly digest?: never;
}

/** A name with a digest (distribution's `Canonical`): `docker.io/library/busybox@sha256:…`. */
export interface DigestedReference extends NamedReference {
  readonly kind: 'digested';
  readonly tag?: never;
  readonly digest: Digest;
}

/** A name with both a tag and a digest: `docker.io/library/busybox:1.36@sha256:…`. */
export interface TaggedDigestedReference extends NamedReference {
  readonly kind: 'tagged-digested';
  readonly tag: string;
  readonly digest: Digest;
}

/**
 * A parsed, immutable (frozen) Docker reference. It satisfies `NamedReference` from `@ferry/types`;
 * `kind` tells which optional parts are present. `domain` is `''` only for references parsed strictly
 * without one (`parseReference('busybox')`) or made familiar.
 */
export type DockerReference = NameOnlyReference | TaggedReference | DigestedReference | TaggedDigestedReference;

/**
 * Builds a frozen reference from parts that are already valid. Internal: callers check the grammar first.
 */
export function makeReference(domain: string, path: string, tag?: string, digest?: Digest): DockerReference {
  const name = domain === '' ? path : `${domain}/${path}`;
  let text = name;
  if (tag !== undefined) text += `:${tag}`;
  if (digest !== undefined) text += `@${digest}`;
  const render = (): string => text;
  if (tag !== undefined && digest !== undefined) {
    return Object.freeze({ kind: 'tagged-digested', domain, path, name, tag, digest, toString: render });
  }
  if (tag !== undefined) return Object.freeze({ kind: 'tagged', domain, path, name, tag, toString: render });
  if (digest !== undefined) return Object.freeze({ kind: 'digested', domain, path, name, digest, toString: render });
  return Object.freeze({ kind: 'name', domain, path, name, toString: render });
}
