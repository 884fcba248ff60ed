import {
  type DigestedReference,
  type DockerReference,
  makeReference,
  type TaggedReference,
} from './docker-reference.ts';
import { IDENTIFIER_RE } from './grammar.ts';
import { assertString, invalidReference } from './invalid-reference.ts';
import { withDefaultTag } from './modify-reference.ts';
import { parseGrammar } from './parse-reference.ts';

/** The registry that names without a domain belong to. */
export const DEFAULT_DOMAIN = 'docker.io';
/** The old name of Docker Hub, rewritten to {@link DEFAULT_DOMAIN}. */
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
/** The namespace of Docker Hub's official images (`busybox` → `library/busybox`). */
export const OFFICIAL_REPO_PREFIX = 'library/';

/**
 * Parses a reference the way `docker pull` reads it, filling in Docker's defaults: `busybox` →
 * `docker.io/library/busybox`, `index.docker.io/x` → `docker.io/library/x`. The first component is a
 * domain only if it contains `.` or `:`, is `localhost`, or has an uppercase letter; otherwise the name
 * lives on Docker Hub. No tag is added (see {@link withDefaultTag}). This is distribution's
 * `ParseNormalizedNamed`.
 *
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE` naming the input and the rule it breaks; a
 * 64-hex-digit string is refused, since it is an image ID.
 * @example
 * ```ts
 * parseNormalizedNamed('busybox:1.36').toString(); // 'docker.io/library/busybox:1.36'
 * parseNormalizedNamed('localhost:5000/app').domain; // 'localhost:5000'
 * ```
 */
export function parseNormalizedNamed(text: string): DockerReference {
  assertString(text);
  if (IDENTIFIER_RE.test(text)) {
    throw invalidReference(text, 'invalid repository name, cannot specify 64-byte hexadecimal strings');
  }
  const { domain, remainder } = splitDockerDomain(text);
  const colon = remainder.indexOf(':');
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw invalidReference(text, `repository name (${remote}) must be lowercase`);
  }
  // errors name the text the caller gave, not the expanded form
  return parseGrammar(`${domain}/${remainder}`, text);
}

/**
 * Like {@link parseNormalizedNamed}, but the input must already be in normalized form
 * (`docker.io/library/busybox`, not `busybox`): distribution's `ParseNamed`.
 *
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE` if the text is invalid or not normalized.
 * @example
 * ```ts
 * parseNamed('docker.io/library/busybox:latest'); // ok; parseNamed('busybox') throws
 * ```
 */
export function parseNamed(text: string): DockerReference {
  const ref = parseNormalizedNamed(text);
  if (ref.toString() !== text) {
    throw invalidReference(text, `repository name must be canonical (normalized form is ${ref.toString()})`);
  }
  return ref;
}

/**
 * Parses a reference the way `docker pull` resolves it to one image: normalized as in
 * {@link parseNormalizedNamed}, `:latest` added when there is neither tag nor digest, and the tag dropped
 * when a digest is present (the digest decides). This is distribution's `ParseDockerRef`.
 *
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE` naming the input and the rule it breaks.
 * @example
 * ```ts
 * parseDockerRef('busybox').toString(); // 'docker.io/library/busybox:latest'
 * ```
 */
export function parseDockerRef(text: string): TaggedReference | DigestedReference {
  const ref = parseNormalizedNamed(text);
  if (ref.kind === 'tagged-digested')
    return makeReference(ref.domain, ref.path, undefined, ref.digest) as DigestedReference;
  const defaulted = withDefaultTag(ref);
  return defaulted as TaggedReference | DigestedReference;
}

/** Splits user text into Docker's domain and the rest, applying Docker Hub's defaults. */
function splitDockerDomain(text: string): { domain: string; remainder: string } {
  const slash = text.indexOf('/');
  if (slash === -1) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + text };
  const first = text.slice(0, slash);
  const rest = text.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === LEGACY_DEFAULT_DOMAIN) {
    [domain, remainder] = [DEFAULT_DOMAIN, rest];
  } else if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    // a dot or colon means a host name, IP address or port; uppercase is never valid in a path
    [domain, remainder] = [first, rest];
  } else {
    [domain, remainder] = [DEFAULT_DOMAIN, text];
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}
