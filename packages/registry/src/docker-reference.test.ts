import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import {
  dockerPolicyNamespaces,
  formatDockerImageName,
  parseDockerImageName,
  validateDockerPolicyScope,
} from './docker-reference.ts';
import { dockerTransport } from './docker-transport.ts';
import { apiHost } from './registry-session.ts';

describe('docker: references', () => {
  it('fills in Docker Hub defaults and :latest, as skopeo does', () => {
    expect(parseDockerImageName('//busybox').toString()).toBe('docker.io/library/busybox:latest');
    expect(parseDockerImageName('//quay.io/app/x:1').toString()).toBe('quay.io/app/x:1');
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseDockerImageName(`//localhost:5000/app@${digest}`).digest).toBe(digest);
    expect(formatDockerImageName(parseDockerImageName('//docker.io/library/busybox:1'))).toBe('//busybox:1');
  });

  it('refuses text without //, a tag with a digest, and bad names', () => {
    for (const text of ['busybox', '//a/B', `//a/b:1@sha256:${'a'.repeat(64)}`, '//a/b:', '//']) {
      let error: unknown;
      try {
        parseDockerImageName(text);
      } catch (e) {
        error = e;
      }
      expect(isImageError(error, 'ERR_INVALID_REFERENCE'), text).toBe(true);
    }
  });

  it('gives the policy identity and namespaces containers/image gives, wildcard domains last', () => {
    const ref = dockerTransport().parseReference('//registry.example.com:5000/team/app:v1');
    expect(ref.policyIdentity).toBe('registry.example.com:5000/team/app:v1');
    expect(ref.policyNamespaces).toEqual([
      'registry.example.com:5000/team/app',
      'registry.example.com:5000/team',
      'registry.example.com:5000',
      '*.example.com',
      '*.com',
    ]);
    expect(dockerPolicyNamespaces(parseDockerImageName('//busybox'))).toEqual([
      'docker.io/library/busybox',
      'docker.io/library',
      'docker.io',
      '*.io',
    ]);
    // a reference round-trips through its text
    expect(ref.transport.parseReference(ref.withinTransport).policyIdentity).toBe(ref.policyIdentity);
  });

  it('checks policy scopes: expanded names and wildcard domains only', () => {
    for (const scope of [
      'docker.io/library/busybox',
      'docker.io',
      'quay.io/ns',
      '*.example.com',
      'localhost:5000/a:1',
    ]) {
      expect(() => validateDockerPolicyScope(scope), scope).not.toThrow();
    }
    for (const scope of ['', '*.', '*', 'docker.io//x', 'a b', '/abs', 'x/*']) {
      expect(() => validateDockerPolicyScope(scope), scope).toThrow();
    }
  });

  it('talks to registry-1.docker.io for Docker Hub', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});
