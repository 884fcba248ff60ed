import { describe, expect, it } from 'vitest';
import { createTransportRegistry, type ImageReference, isImageError, type Transport } from './index.ts';

function fakeTransport(name: string): Transport & { seen: string[] } {
  const seen: string[] = [];
  const transport: Transport & { seen: string[] } = {
    name,
    seen,
    parseReference(text: string): ImageReference {
      seen.push(text);
      return {
        transport,
        withinTransport: text,
        policyIdentity: text,
        policyNamespaces: [],
        newImageSource: () => Promise.reject(new Error('unused')),
        newImageDestination: () => Promise.reject(new Error('unused')),
      };
    },
  };
  return transport;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isImageError(e) ? e.code : 'not an ImageError';
  }
  return undefined;
}

describe('createTransportRegistry', () => {
  it('splits at the first colon and hands the rest to the transport', () => {
    const oci = fakeTransport('oci');
    const docker = fakeTransport('docker');
    const registry = createTransportRegistry([oci, docker]);
    expect(registry.parse('oci:/x:tag').withinTransport).toBe('/x:tag');
    expect(registry.parse('docker://busybox:latest').transport).toBe(docker);
    expect(oci.seen).toEqual(['/x:tag']);
    expect(docker.seen).toEqual(['//busybox:latest']);
    expect(registry.names()).toEqual(['docker', 'oci']);
    expect([...registry].map((t) => t.name).sort()).toEqual(['docker', 'oci']);
  });

  it('names the unknown transport in its error', () => {
    const registry = createTransportRegistry([fakeTransport('oci')]);
    try {
      registry.parse('foo:bar');
      expect.unreachable();
    } catch (e) {
      expect(isImageError(e, 'ERR_UNKNOWN_TRANSPORT')).toBe(true);
      expect((e as Error).message).toContain('unknown transport "foo"');
      expect((e as Error).message).toContain('oci');
    }
  });

  it('refuses text without a transport', () => {
    const registry = createTransportRegistry([fakeTransport('oci')]);
    expect(codeOf(() => registry.parse('busybox'))).toBe('ERR_INVALID_REFERENCE');
    expect(codeOf(() => registry.parse(':x'))).toBe('ERR_INVALID_REFERENCE');
  });

  it('refuses duplicate and invalid names', () => {
    expect(codeOf(() => createTransportRegistry([fakeTransport('oci'), fakeTransport('oci')]))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(codeOf(() => createTransportRegistry([fakeTransport('Bad:Name')]))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => createTransportRegistry([fakeTransport('')]))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('extend returns a new registry and leaves the original unchanged', () => {
    const base = createTransportRegistry([fakeTransport('oci')]);
    const custom = fakeTransport('my-store');
    const extended = base.extend(custom);
    expect(extended.parse('my-store:abc').transport).toBe(custom);
    expect(codeOf(() => base.parse('my-store:abc'))).toBe('ERR_UNKNOWN_TRANSPORT');
    expect(base.names()).toEqual(['oci']);
    // a later transport of the same name replaces the earlier one in the extended registry only
    const replacement = fakeTransport('oci');
    expect(base.extend(replacement).get('oci')).toBe(replacement);
    expect(base.get('oci')).not.toBe(replacement);
  });

  it('is frozen', () => {
    const registry = createTransportRegistry([]);
    expect(Object.isFrozen(registry)).toBe(true);
  });
});
