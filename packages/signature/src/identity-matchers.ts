import { type DockerReference, parseNamed, parseNormalizedNamed, withName } from '@ferry/reference';
import type { NamedReference } from '@ferry/types';
import type { SignedIdentity } from './policy-types.ts';

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const DOMAIN_PREFIX_RE = new RegExp(`^${DOMAIN}/`);

/**
 * Whether a signature claiming `signedReference` (a Docker reference string from a signature payload) satisfies
 * `identity` for an image known as `imageReference`, with containers/image's semantics (`policy_reference_match.go`).
 * `imageReference` is `undefined` when the transport knows no Docker reference; then only `exactReference` and
 * `exactRepository` can match. A claimed reference that does not parse never matches.
 *
 * @example
 * ```ts
 * const image = parseDockerRef('quay.io/org/app:v1');
 * matchesSignedIdentity({ type: 'matchRepoDigestOrExact' }, image, 'quay.io/org/app:v1'); // true
 * matchesSignedIdentity({ type: 'matchRepository' }, image, 'quay.io/org/app:v2'); // true
 * matchesSignedIdentity({ type: 'matchExact' }, image, 'quay.io/org/app:v2'); // false
 * ```
 */
export function matchesSignedIdentity(
  identity: SignedIdentity,
  imageReference: NamedReference | undefined,
  signedReference: string,
): boolean {
  const signed = tryParse(signedReference, parseNormalizedNamed);
  if (signed === undefined) return false;
  switch (identity.type) {
    case 'matchExact':
      return imageReference !== undefined && exactMatch(imageReference, signed);
    case 'matchRepoDigestOrExact':
      return imageReference !== undefined && repoDigestOrExactMatch(imageReference, signed);
    case 'matchRepository':
      return imageReference !== undefined && signed.name === imageReference.name;
    case 'exactReference': {
      const intended = tryParse(identity.dockerReference, parseNormalizedNamed);
      return intended !== undefined && exactMatch(intended, signed);
    }
    case 'exactRepository': {
      const intended = tryParse(identity.dockerRepository, parseNormalizedNamed);
      return intended !== undefined && signed.name === intended.name;
    }
    case 'remapIdentity': {
      if (imageReference === undefined) return false;
      const remapped = remapPrefix(imageReference, identity.prefix, identity.signedPrefix);
      return remapped !== undefined && repoDigestOrExactMatch(remapped, signed);
    }
    default:
      return unknownIdentity(identity);
  }
}

/**
 * Whether `text` may be a `remapIdentity` `prefix` or `signedPrefix`: a registry (`host[:port]`) or a repository
 * namespace starting with one (`host[:port]/ns…`), as c/image's `validateIdentityRemappingPrefix` checks it (which,
 * like c/image, lets some short names through: those just never match).
 *
 * @example
 * ```ts
 * isValidRemapPrefix('quay.io/mirror'); // true
 * isValidRemapPrefix('quay.io/mirror:v1'); // false
 * ```
 */
export function isValidRemapPrefix(text: string): boolean {
  if (DOMAIN_RE.test(text)) return true;
  return DOMAIN_PREFIX_RE.test(text) && tryParse(text, withName) !== undefined;
}

/** Both references carry a tag or digest and are textually equal. */
function exactMatch(intended: NamedReference, signed: NamedReference): boolean {
  if (isNameOnly(intended) || isNameOnly(signed)) return false;
  return referenceText(signed) === referenceText(intended);
}

/** c/image's `matchRepoDigestOrExactReferenceValues`. */
function repoDigestOrExactMatch(intended: NamedReference, signed: NamedReference): boolean {
  if (isNameOnly(signed)) return false;
  // a tag (with or without a digest) must match exactly
  if (intended.tag !== undefined) return referenceText(signed) === referenceText(intended);
  // a digest-only image: the signature's own digest is checked against the manifest by the requirement
  if (intended.digest !== undefined) return signed.name === intended.name;
  return false;
}

/**
 * c/image's `remapReferencePrefix`: when the image's repository name is `prefix` or lies under it (`prefix/…`),
 * replaces that prefix with `signedPrefix` and parses the result strictly; `undefined` when that result is not a
 * canonical reference (such a signature never matches).
 */
function remapPrefix(image: NamedReference, prefix: string, signedPrefix: string): NamedReference | undefined {
  const name = image.name;
  const under = name.length > prefix.length && name.startsWith(prefix) && name[prefix.length] === '/';
  if (name !== prefix && !under) return image;
  return tryParse(signedPrefix + referenceText(image).slice(prefix.length), parseNamed);
}

function isNameOnly(ref: NamedReference): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}

/** `name[:tag][@digest]`, built from the parts so any `NamedReference` implementation compares the same way. */
function referenceText(ref: NamedReference): string {
  let text = ref.name;
  if (ref.tag !== undefined) text += `:${ref.tag}`;
  if (ref.digest !== undefined) text += `@${ref.digest}`;
  return text;
}

function tryParse<T extends DockerReference>(text: string, parse: (text: string) => T): T | undefined {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

/** A policy parsed by another version may hold an identity type this one does not know: never a match. */
function unknownIdentity(_identity: never): boolean {
  return false;
}
