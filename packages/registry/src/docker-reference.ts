import {
  type DigestedReference,
  familiarString,
  parseNormalizedNamed,
  type TaggedReference,
  withDefaultTag,
} from '@ferry/reference';
import { ImageError } from '@ferry/types';

/** A `docker://` image: a repository on a registry with a tag or a digest (never both). */
export type RegistryImageName = TaggedReference | DigestedReference;

/**
 * Parses the text after `docker:` as containers/image does: `//NAME[:TAG|@DIGEST]`, Docker Hub defaults
 * (`//busybox` is `docker.io/library/busybox:latest`), `:latest` when neither tag nor digest is given.
 * A tag and a digest together are refused, as containers/image refuses them.
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE`.
 * @example
 * ```ts
 * parseDockerImageName('//busybox').toString(); // 'docker.io/library/busybox:latest'
 * ```
 */
export function parseDockerImageName(text: string): RegistryImageName {
  if (!text.startsWith('//')) {
    throw new ImageError('ERR_INVALID_REFERENCE', `docker: reference ${JSON.stringify(text)} does not start with "//"`);
  }
  const ref = withDefaultTag(parseNormalizedNamed(text.slice(2)));
  if (ref.kind === 'tagged-digested') {
    throw new ImageError(
      'ERR_INVALID_REFERENCE',
      `docker: reference ${JSON.stringify(text)} has both a tag and a digest, which is not supported`,
    );
  }
  return ref;
}

/** The text after `docker:` for a name: `//` and its familiar form, e.g. `//busybox:latest`. */
export function formatDockerImageName(name: RegistryImageName): string {
  return `//${familiarString(name)}`;
}

/**
 * The less specific policy scopes of a name, most specific first: the repository, its parent namespaces,
 * the host (with its port), then wildcard domains (`*.example.com`, `*.com`), as containers/image lists them.
 */
export function dockerPolicyNamespaces(name: RegistryImageName): string[] {
  const scopes: string[] = [];
  let current = name.name;
  for (;;) {
    scopes.push(current);
    const slash = current.lastIndexOf('/');
    if (slash === -1) break;
    current = current.slice(0, slash);
  }
  let host = current.split(':')[0] ?? current;
  for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.')) {
    host = host.slice(dot + 1);
    scopes.push(`*.${host}`);
  }
  return scopes;
}

const WILDCARD_DOMAIN = /^\*\.[a-z0-9-]+(\.[a-z0-9-]+)*$/i;
// a repository, namespace or host, with an optional tag or digest: the characters of the reference grammar
const SCOPE = /^[a-z0-9][a-z0-9._:-]*(\/[a-z0-9._-]+)*(:[\w][\w.-]{0,127})?(@[a-z0-9]+:[a-f0-9]+)?$/i;

/**
 * Checks a `docker` scope of a signature policy: `*.domain`, or a host, namespace or repository with an
 * optional tag or digest (`docker.io`, `docker.io/library`, `docker.io/library/busybox:latest`).
 * containers/image accepts any string here; refusing what can never match (spaces, a stray `*`, an empty
 * path component) catches typos in a policy file.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT`.
 */
export function validateDockerPolicyScope(scope: string): void {
  if (scope.startsWith('*.') ? WILDCARD_DOMAIN.test(scope) : SCOPE.test(scope)) return;
  throw new ImageError(
    'ERR_INVALID_ARGUMENT',
    `invalid policy scope ${JSON.stringify(scope)} for the docker transport`,
  );
}
