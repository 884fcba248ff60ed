import { describe, expect, it } from 'vitest';
import { parsePolicy } from './parse-policy.ts';
import { requirementsFor, scopeProblem } from './policy-scopes.ts';
import type { PolicyRequirement } from './policy-types.ts';

describe('scopeProblem', () => {
  it.each([
    ['docker', 'example.com'],
    ['docker', 'localhost:5000'],
    ['docker', 'example.com/ns'],
    ['docker', 'docker.io/library/busybox'],
    ['docker', 'example.com:5000/ns/repo:tag'],
    ['docker', `example.com/repo@sha256:${'0'.repeat(64)}`],
    ['docker', 'localhost/repo'],
    ['docker', '*.example.com'],
    ['docker', '*.com'],
    ['docker', 'myregistry'],
    ['atomic', 'hostname:5000/myns/official'],
    ['atomic', 'hostname:5000/myns/stream:tag'],
    ['dir', '/var/lib/images'],
    ['oci', '/srv/layout'],
    ['oci', '/srv/layout:tag'],
    ['oci-archive', '/srv/a.tar'],
    ['docker-archive', '/srv/image.tar'],
    ['docker-daemon', 'docker.io/library/busybox:latest'],
    ['unknown-transport', 'anything at all'],
    // containers/image does not validate docker scopes; skopeo's own fixtures use ones that never match
    ['docker', 'bogus/key-data-example'],
    ['docker', 'quay.io/*'],
    ['docker', ''],
    ['dir', ''],
  ])('accepts %s scope %j', (transport, scope) => {
    expect(scopeProblem(transport, scope)).toBeUndefined();
  });

  it.each([
    ['atomic', 'host/ns/stream/extra', 'host[/namespace'],
    ['dir', 'relative', 'must be an absolute path'],
    ['dir', '/', 'use the transport-wide default scope'],
    ['dir', '/a//b', 'perhaps "/a/b"'],
    ['oci', '/a/../b', 'perhaps "/b"'],
    ['oci', '/a/b/', 'perhaps "/a/b"'],
    ['oci-archive', 'a.tar', 'must be an absolute path'],
    ['docker-archive', './image.tar', 'must be an absolute path'],
    ['docker-daemon', `sha256:${'a'.repeat(64)}`, 'image ID'],
  ])('refuses %s scope %j', (transport, scope, problem) => {
    expect(scopeProblem(transport, scope)).toContain(problem);
  });
});

/** A reference shaped like the docker transport's: identity, then c/image's namespaces. */
function dockerRef(identity: string, namespaces: readonly string[]) {
  return { transport: { name: 'docker' }, policyIdentity: identity, policyNamespaces: namespaces };
}

const BUSYBOX = dockerRef('docker.io/library/busybox:latest', [
  'docker.io/library/busybox',
  'docker.io/library',
  'docker.io',
  '*.io',
]);
const QUAY = dockerRef('quay.io:443/org/app:v1', ['quay.io:443/org/app', 'quay.io:443/org', 'quay.io:443', '*.io']);

/** A policy whose every requirement list is a `signedBy` with a key path naming the scope, to tell them apart. */
function policyWith(docker: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const mark = (name: string) => [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: `/${name}` }];
  const scopes = Object.fromEntries(Object.keys(docker).map((scope) => [scope, mark(`docker/${scope}`)]));
  return parsePolicy(JSON.stringify({ default: mark('default'), transports: { docker: scopes, ...extra } }));
}

function chosen(requirements: readonly PolicyRequirement[]): string {
  const first = requirements[0];
  if (first?.type !== 'signedBy' || first.keys.kind !== 'path') return first?.type ?? 'none';
  return first.keys.path;
}

describe('requirementsFor', () => {
  const all = { 'docker.io/library/busybox:latest': 1, 'docker.io/library/busybox': 1, 'docker.io/library': 1 };

  it('prefers the identity, then namespaces in order, then "", then default', () => {
    const scopes: Record<string, unknown> = { ...all, 'docker.io': 1, '*.io': 1, '': 1 };
    expect(chosen(requirementsFor(policyWith(scopes), BUSYBOX))).toBe('/docker/docker.io/library/busybox:latest');
    delete scopes['docker.io/library/busybox:latest'];
    expect(chosen(requirementsFor(policyWith(scopes), BUSYBOX))).toBe('/docker/docker.io/library/busybox');
    delete scopes['docker.io/library/busybox'];
    expect(chosen(requirementsFor(policyWith(scopes), BUSYBOX))).toBe('/docker/docker.io/library');
    delete scopes['docker.io/library'];
    expect(chosen(requirementsFor(policyWith(scopes), BUSYBOX))).toBe('/docker/docker.io');
    delete scopes['docker.io'];
    expect(chosen(requirementsFor(policyWith(scopes), BUSYBOX))).toBe('/docker/*.io');
    delete scopes['*.io'];
    expect(chosen(requirementsFor(policyWith(scopes), BUSYBOX))).toBe('/docker');
    delete scopes[''];
    expect(chosen(requirementsFor(policyWith(scopes), BUSYBOX))).toBe('/default');
  });

  it('matches a host with its port, and wildcards without it', () => {
    const policy = policyWith({ 'quay.io': 1, '*.io': 1 });
    expect(chosen(requirementsFor(policy, QUAY))).toBe('/docker/*.io');
    expect(chosen(requirementsFor(policyWith({ 'quay.io:443': 1, '*.io': 1 }), QUAY))).toBe('/docker/quay.io:443');
  });

  it('uses default for transports without scopes, and path scopes for path transports', () => {
    const policy = policyWith(
      {},
      {
        dir: { '/srv/images': [{ type: 'reject' }], '': [{ type: 'insecureAcceptAnything' }] },
      },
    );
    const dir = (identity: string, namespaces: string[]) => ({
      transport: { name: 'dir' },
      policyIdentity: identity,
      policyNamespaces: namespaces,
    });
    expect(requirementsFor(policy, dir('/srv/images/app', ['/srv/images', '/srv']))).toEqual([{ type: 'reject' }]);
    expect(requirementsFor(policy, dir('/tmp/app', ['/tmp']))).toEqual([{ type: 'insecureAcceptAnything' }]);
    const oci = { transport: { name: 'oci' }, policyIdentity: '/srv/images', policyNamespaces: [] };
    expect(chosen(requirementsFor(policy, oci))).toBe('/default');
  });

  it('costs one lookup per namespace, whatever the number of scopes', () => {
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) many[`registry${i}.example.com/ns/app`] = 1;
    const policy = policyWith(many);
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) requirementsFor(policy, BUSYBOX);
    expect(chosen(requirementsFor(policy, BUSYBOX))).toBe('/default');
    expect(performance.now() - started).toBeLessThan(500);
  });
});
