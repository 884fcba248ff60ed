import { describe, expect, it } from 'vitest';
import { parseImageConfig } from './index.ts';
import { fixture, fixtureJson, jsonBytes, sha256 } from './test-support/fixtures.ts';

describe('parseImageConfig', () => {
  it('reads a Docker config with history and runtime settings', () => {
    const bytes = fixture('config-docker.json');
    const c = parseImageConfig(bytes);
    expect(c.digest).toBe(sha256(bytes));
    expect([c.os, c.architecture]).toEqual(['linux', 'amd64']);
    expect(c.diffIds).toHaveLength(3);
    expect(c.history.filter((h) => !h.emptyLayer)).toHaveLength(3);
    expect(c.history[1]).toEqual({
      created: '2024-01-01T00:00:01Z',
      createdBy: '/bin/sh -c apk add curl',
      comment: 'buildkit',
      emptyLayer: false,
    });
    expect(c.config).toEqual({
      env: ['PATH=/usr/bin'],
      cmd: ['/bin/sh'],
      labels: { 'org.example': 'yes' },
      workingDir: '/',
    });
    expect(c.json.docker_version).toBe('24.0.0');
  });

  it('reads an OCI config with variant', () => {
    const c = parseImageConfig(fixture('config-oci.json'));
    expect(c.variant).toBe('v8');
    expect(c.config?.entrypoint).toEqual(['/app']);
    expect(c.config?.user).toBe('1000');
  });

  it.each([
    [
      'architecture',
      (d: Record<string, unknown>) => ({ ...d, architecture: undefined }),
      /^architecture: expected a string/,
    ],
    ['os', (d: Record<string, unknown>) => ({ ...d, os: 1 }), /^os: expected a string/],
    ['rootfs', (d: Record<string, unknown>) => ({ ...d, rootfs: null }), /^rootfs: expected an object/],
    ['rootfs.type', (d: Record<string, unknown>) => ({ ...d, rootfs: { type: 'x', diff_ids: [] } }), /^rootfs\.type/],
    [
      'diff_ids',
      (d: Record<string, unknown>) => ({ ...d, rootfs: { type: 'layers' } }),
      /^rootfs\.diff_ids: expected an array/,
    ],
    [
      'history',
      (d: Record<string, unknown>) => ({ ...d, history: [{ empty_layer: 'no' }] }),
      /^history\[0\]\.empty_layer/,
    ],
    [
      'config.Env',
      (d: Record<string, unknown>) => ({ ...d, config: { Env: 'A=b' } }),
      /^config\.Env: expected an array/,
    ],
    [
      'config.Labels',
      (d: Record<string, unknown>) => ({ ...d, config: { Labels: { a: 1 } } }),
      /^config\.Labels\["a"\]/,
    ],
  ])('rejects a bad %s', (_name, mutate, message) => {
    const bytes = jsonBytes(mutate(fixtureJson('config-docker.json')));
    expect(() => parseImageConfig(bytes)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_MANIFEST' }));
    expect(() => parseImageConfig(bytes)).toThrow(message);
  });

  it('rejects an invalid diff_id with ERR_INVALID_DIGEST naming it', () => {
    const doc = fixtureJson('config-docker.json');
    const bytes = jsonBytes({ ...doc, rootfs: { type: 'layers', diff_ids: [sha256('a'), 'sha1:abc'] } });
    expect(() => parseImageConfig(bytes)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_DIGEST', message: expect.stringMatching(/^rootfs\.diff_ids\[1\]/) }),
    );
  });
});
