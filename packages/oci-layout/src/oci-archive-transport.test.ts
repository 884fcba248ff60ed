import { resolve } from 'node:path';
import { createTransportRegistry, isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { type OciArchiveReference, ociArchiveTransport, parseOciArchiveReferenceText } from './index.ts';

const transport = ociArchiveTransport();

describe('oci-archive: references', () => {
  it('parses PATH[:NAME] and round-trips withinTransport', () => {
    const named = transport.parseReference('/tmp/a.tar:v1.0-rc') as OciArchiveReference;
    expect([named.file, named.name, named.withinTransport]).toEqual(['/tmp/a.tar', 'v1.0-rc', '/tmp/a.tar:v1.0-rc']);
    const bare = transport.parseReference('/tmp/a.tar') as OciArchiveReference;
    expect([bare.file, bare.name, bare.withinTransport]).toEqual(['/tmp/a.tar', undefined, '/tmp/a.tar:']);
    expect(transport.parseReference(bare.withinTransport).withinTransport).toBe('/tmp/a.tar:');
    expect(parseOciArchiveReferenceText('rel/a.tar:repo/name:tag')).toEqual({
      file: 'rel/a.tar',
      name: 'repo/name:tag',
    });
  });

  it('has the absolute path as policy identity, parents as namespaces, and no docker reference', () => {
    const ref = transport.parseReference('rel/a.tar:v1');
    expect(ref.policyIdentity).toBe(resolve('rel/a.tar'));
    expect(ref.policyNamespaces[0]).toBe(resolve('rel/a.tar'));
    expect(ref.policyNamespaces.at(-1)).toBe(`/${resolve('rel').split('/')[1]}`);
    expect(ref.dockerReference).toBeUndefined();
    expect(transport.parseReference('/tmp/a.tar:other').policyIdentity).toBe('/tmp/a.tar');
  });

  it('refuses @N, bad names and an empty path with ERR_INVALID_REFERENCE', () => {
    for (const text of ['/tmp/a.tar:@0', '/tmp/a.tar:Bad Name', '/tmp/a.tar:-x', ':v1', '']) {
      expect(() => transport.parseReference(text), text).toThrow(
        expect.toSatisfy((e) => isImageError(e, 'ERR_INVALID_REFERENCE')),
      );
    }
  });

  it('is found by a registry under oci-archive and validates path scopes', () => {
    const ref = createTransportRegistry([transport]).parse('oci-archive:/srv/a.tar:v1');
    expect(ref.transport.name).toBe('oci-archive');
    expect(() => transport.validatePolicyScope?.('/srv/a.tar')).not.toThrow();
    expect(() => transport.validatePolicyScope?.('relative')).toThrow();
  });
});
