import type { Policy, PolicyRequirement } from './policy-types.ts';

/** The `atomic:` transport's scope grammar (`host/namespace/stream:tag` or a parent), as c/image checks it. */
const ATOMIC_SCOPE_RE = /^[^/]*(\/[^:/]*(\/[^:/]*(:[^:/]*)?)?)?$/;
/** A digest as go-digest parses one; docker-daemon refuses image IDs as scopes. */
const DAEMON_ID_RE = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

/**
 * Checks a scope (a key of `transports.<name>` other than `""`) for a transport, as containers/image's
 * `ValidatePolicyConfigurationScope` does, so a scope that could never match is refused instead of silently
 * ignored. Scopes of transports Ferry does not know are accepted as they are.
 *
 * @returns `undefined` when the scope is valid, else the problem.
 * @example
 * ```ts
 * scopeProblem('docker', 'quay.io/org/app:v1'); // undefined
 * scopeProblem('dir', 'relative/path'); // 'must be an absolute path'
 * ```
 */
export function scopeProblem(transport: string, scope: string): string | undefined {
  if (scope === '') return undefined;
  switch (transport) {
    case 'docker':
      // as containers/image: any text is a docker scope (one that no reference produces never matches), so
      // every policy skopeo loads loads here too
      return undefined;
    case 'atomic':
      return ATOMIC_SCOPE_RE.test(scope) ? undefined : 'must be host[/namespace[/stream[:tag]]]';
    case 'dir':
    case 'oci':
    case 'oci-archive':
    case 'docker-archive': // a Ferry extension: c/image accepts only "" for docker-archive
      return pathScopeProblem(scope);
    case 'docker-daemon':
      return DAEMON_ID_RE.test(scope) ? 'an image ID (algo:digest) cannot be used as a namespace' : undefined;
    default:
      return undefined;
  }
}

/** An absolute, clean path other than `/` (which would shadow `""`), as c/image requires for path transports. */
function pathScopeProblem(scope: string): string | undefined {
  if (!scope.startsWith('/')) return 'must be an absolute path';
  if (scope === '/') return 'use the transport-wide default scope "" instead of "/"';
  const cleaned = cleanPath(scope);
  if (cleaned !== scope) return `not in canonical form, perhaps ${JSON.stringify(cleaned)}`;
  return undefined;
}

/** Go's `filepath.Clean` for absolute POSIX paths. */
function cleanPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/**
 * The requirements that apply to an image reference, as containers/image's `requirementsForImageRef` picks them:
 * in the scopes of the reference's transport, its `policyIdentity`, then each of its `policyNamespaces` in
 * order, then the transport-wide `""`; else the policy's `default`. Each step is one Map lookup.
 *
 * @example
 * ```ts
 * const requirements = requirementsFor(policy, source.reference); // any ImageReference fits
 * ```
 */
export function requirementsFor(
  policy: Policy,
  reference: {
    readonly transport: { readonly name: string };
    readonly policyIdentity: string;
    readonly policyNamespaces: readonly string[];
  },
): readonly PolicyRequirement[] {
  const scopes = policy.transports.get(reference.transport.name);
  if (scopes !== undefined) {
    const exact = scopes.get(reference.policyIdentity);
    if (exact !== undefined) return exact;
    for (const namespace of reference.policyNamespaces) {
      const found = scopes.get(namespace);
      if (found !== undefined) return found;
    }
    const transportDefault = scopes.get('');
    if (transportDefault !== undefined) return transportDefault;
  }
  return policy.default;
}
