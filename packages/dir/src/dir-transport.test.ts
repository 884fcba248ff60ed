import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { dirTransport } from './index.ts';

describe('dir: references', () => {
  const transport = dirTransport();
  it('resolves to an absolute path with its parents as policy namespaces', () => {
    const ref = transport.parseReference('/srv/images/busybox/');
    expect(ref.withinTransport).toBe('/srv/images/busybox');
    expect(ref.policyIdentity).toBe('/srv/images/busybox');
    expect(ref.policyNamespaces).toEqual(['/srv/images', '/srv']);
    expect(transport.parseReference('rel/x').withinTransport).toBe(`${process.cwd()}/rel/x`);
  });

  it('refuses an empty path and checks policy scopes', () => {
    expect(() => transport.parseReference('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_REFERENCE' }));
    expect(() => transport.validatePolicyScope?.('/srv/x')).not.toThrow();
    for (const bad of ['relative', '/', '/srv/../x', '/srv/x/']) {
      expect(() => transport.validatePolicyScope?.(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    }
  });

  it('refuses deletion as containers/image does', async () => {
    await expect(transport.parseReference('/tmp/x').deleteImage?.()).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_NOT_IMPLEMENTED'),
    );
  });
});
