import { type Digest, parseDigest } from '@ferry/types';
import { type DockerReference, makeReference, type NameOnlyReference } from './docker-reference.ts';
import { NAME_RE, NAME_TOTAL_LENGTH_MAX, REFERENCE_RE } from './grammar.ts';
import { assertString, invalidReference } from './invalid-reference.ts';

const FORMAT_RULE = 'invalid reference format, want [domain[:port]/]path[:tag][@digest] with lowercase path components';

/**
 * Parses a reference exactly as the grammar says, with no Docker defaults: `busybox` stays `busybox`
 * (empty domain), and a first component counts as a domain only where the grammar allows nothing else.
 * This is distribution's `Parse`. Use {@link parseNormalizedNamed} for what users type.
 *
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE` naming the input and the rule it breaks.
 * @example
 * ```ts
 * const ref = parseReference('quay.io/podman/stable:v5');
 * ref.domain; // 'quay.io'
 * ref.path; // 'podman/stable'
 * ref.tag; // 'v5'
 * ```
 */
export function parseReference(text: string): DockerReference {
  assertString(text);
  return parseGrammar(text, text);
}

/** Internal: parses `text`, naming `shown` (what the caller typed) in errors. */
export function parseGrammar(text: string, shown: string): DockerReference {
  if (text === '') throw invalidReference(shown, 'repository name must have at least one component');
  const match = REFERENCE_RE.exec(text);
  if (match === null) throw invalidReference(shown, formatProblem(text));
  const [, name = '', tag, digestText] = match;
  const { domain, path } = splitName(shown, name);
  const digest = digestText === undefined ? undefined : parseDigestIn(shown, digestText);
  return makeReference(domain, path, tag, digest);
}

/**
 * Parses a repository name alone (`[domain/]path`, no tag, no digest, no defaults): distribution's
 * `WithName`.
 *
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE` naming the input and the rule it breaks.
 * @example
 * ```ts
 * withName('localhost:5000/team/app').domain; // 'localhost:5000'
 * ```
 */
export function withName(name: string): NameOnlyReference {
  assertString(name);
  if (name === '') throw invalidReference(name, 'repository name must have at least one component');
  if (!NAME_RE.test(name)) throw invalidReference(name, formatProblem(name));
  const { domain, path } = splitName(name, name);
  return makeReference(domain, path) as NameOnlyReference;
}

/** Splits a name the grammar already accepted, enforcing the length limit. */
function splitName(text: string, name: string): { domain: string; path: string } {
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalidReference(text, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const match = NAME_RE.exec(name);
  return { domain: match?.[1] ?? '', path: match?.[2] ?? name };
}

function parseDigestIn(text: string, digestText: string): Digest {
  try {
    return parseDigest(digestText);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'not a supported digest';
    throw invalidReference(text, `invalid digest format (${reason})`, error);
  }
}

/** Names the broken rule for text the grammar refused: uppercase gets its own message, as in distribution. */
function formatProblem(text: string): string {
  const lower = text.toLowerCase();
  if (lower !== text && REFERENCE_RE.test(lower)) return 'repository name must be lowercase';
  return FORMAT_RULE;
}
