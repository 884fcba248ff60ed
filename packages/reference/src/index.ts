/**
 * The Docker image reference grammar: strict and normalized parsing, Docker Hub defaults, the familiar
 * short form, and tag/digest rules, following distribution/reference and containers/image.
 *
 * @packageDocumentation
 */
export type {
  DigestedReference,
  DockerReference,
  NameOnlyReference,
  ReferenceKind,
  TaggedDigestedReference,
  TaggedReference,
} from './docker-reference.ts';
export { familiarName, familiarString } from './familiar.ts';
export { NAME_TOTAL_LENGTH_MAX } from './grammar.ts';
export { DEFAULT_TAG, tagNameOnly, trimNamed, withDefaultTag, withDigest, withTag } from './modify-reference.ts';
export {
  DEFAULT_DOMAIN,
  LEGACY_DEFAULT_DOMAIN,
  OFFICIAL_REPO_PREFIX,
  parseDockerRef,
  parseNamed,
  parseNormalizedNamed,
} from './normalize.ts';
export { parseReference, withName } from './parse-reference.ts';
export { isDigested, isNameOnly, isTagged, isTaggedDigested } from './reference-kind.ts';
