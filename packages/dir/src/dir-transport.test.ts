import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('gives a path through a symlink the policy identity of the real place, as containers/image does', () => {
    const work = realpathSync(mkdtempSync(join(tmpdir(), 'ferry-dir-scope-')));
    try {
      mkdirSync(join(work, 'secure/img'), { recursive: true });
      symlinkSync(join(work, 'secure'), join(work, 'link'));
      const ref = transport.parseReference(join(work, 'link/img'));
      expect(ref.withinTransport).toBe(join(work, 'link/img'));
      expect(ref.policyIdentity).toBe(join(work, 'secure/img'));
      expect(ref.policyNamespaces[0]).toBe(join(work, 'secure'));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
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
