import { dirname, resolve } from 'node:path';
import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport, formatArchiveReferenceText, parseArchiveReferenceText } from './index.ts';

const transport = dockerArchiveTransport();

describe('docker-archive reference syntax', () => {
  it.each([
    ['/tmp/a.tar', '/tmp/a.tar', undefined, undefined],
    [
      '/tmp/a.tar:busybox',
      '/tmp/a.tar:docker.io/library/busybox:latest',
      'docker.io/library/busybox:latest',
      undefined,
    ],
    ['a.tar:example.com/x/y:v1', 'a.tar:example.com/x/y:v1', 'example.com/x/y:v1', undefined],
    ['a.tar:@0', 'a.tar:@0', undefined, 0],
    ['a.tar:@12', 'a.tar:@12', undefined, 12],
  ])('parses %s', (text, canonical, name, index) => {
    const parts = parseArchiveReferenceText(text);
    expect(formatArchiveReferenceText(parts)).toBe(canonical);
    expect(parts.name?.toString()).toBe(name);
    expect(parts.sourceIndex).toBe(index);
    const ref = transport.parseReference(text);
    expect(ref.withinTransport).toBe(canonical);
    expect(transport.parseReference(ref.withinTransport).withinTransport).toBe(canonical);
    expect(ref.dockerReference?.toString()).toBe(name);
    expect(ref.policyIdentity).toBe(resolve(parts.path));
    expect(ref.policyNamespaces[0]).toBe(dirname(resolve(parts.path)));
  });

  it.each([
    '',
    ':busybox',
    'a.tar:@',
    'a.tar:@-1',
    'a.tar:@1x',
    'a.tar:Busybox',
    `a.tar:busybox@sha256:${'a'.repeat(64)}`,
    `a.tar:busybox:v1@sha256:${'a'.repeat(64)}`,
  ])('refuses %j with ERR_INVALID_REFERENCE', (text) => {
    expect(() => transport.parseReference(text)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_REFERENCE' }) as Error,
    );
  });

  it('refuses every non-default policy scope', () => {
    expect(() => transport.validatePolicyScope?.('/tmp/a.tar')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error,
    );
  });

  it('refuses a destination with a source index', async () => {
    await expect(transport.parseReference('/nonexistent/a.tar:@1').newImageDestination()).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_INVALID_REFERENCE'),
    );
  });
});
