import { OCI_MANIFEST_MEDIA_TYPE } from '@ferry/manifest';
import { type ImageError, isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import type { ListInstance } from './list-types.ts';
import { ManifestList } from './manifest-list.ts';
import { DOCKER_LIST_TEXT, fakeDigest } from './test-support/list-fixtures.ts';

function thrown(f: () => unknown): ImageError {
  try {
    f();
  } catch (error) {
    if (isImageError(error)) return error;
    throw error;
  }
  throw new Error('expected an ImageError');
}

function image(c: string, platform?: ListInstance['platform']): ListInstance {
  return {
    digest: fakeDigest(c),
    size: 500,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    ...(platform === undefined ? {} : { platform }),
  };
}

const amd64 = image('a', { os: 'linux', architecture: 'amd64' });
const arm64 = image('b', { os: 'linux', architecture: 'arm64', variant: 'v8' });
const two = ManifestList.empty().add(amd64).add(arm64);

describe('add', () => {
  it('appends instances in order', () => {
    expect(two.instances.map((i) => i.digest)).toEqual([fakeDigest('a'), fakeDigest('b')]);
    expect(two.instance(fakeDigest('b'))).toEqual(arm64);
  });

  it('replaces an instance with the same digest in place', () => {
    const next = two.add({ ...amd64, size: 777, annotations: { k: 'v' } });
    expect(next.instances.map((i) => [i.digest, i.size])).toEqual([
      [fakeDigest('a'), 777],
      [fakeDigest('b'), 500],
    ]);
  });

  it('refuses another digest with an equal platform (arm64 equals arm64/v8, aarch64 equals arm64)', () => {
    for (const platform of [
      { os: 'linux', architecture: 'arm64' },
      { os: 'Linux', architecture: 'aarch64', variant: '8' },
      { os: 'linux', architecture: 'x86_64' },
    ]) {
      const err = thrown(() => two.add(image('c', platform)));
      expect(err.code).toBe('ERR_INVALID_ARGUMENT');
      expect(err.message).toContain('duplicate platform');
    }
  });

  it('accepts platforms that differ by variant, os.version, os.features or features', () => {
    const list = two
      .add(image('c', { os: 'linux', architecture: 'arm64', variant: 'v9' }))
      .add(image('d', { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.1' }))
      .add(image('e', { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.1' }))
      .add(image('f', { os: 'linux', architecture: 'amd64', features: ['sse4'] }))
      .add(image('0', { os: 'linux', architecture: 'amd64', osFeatures: ['x', 'y'] }));
    expect(list.instances).toHaveLength(7);
    // features compare as sets
    const dup = image('1', { os: 'linux', architecture: 'amd64', osFeatures: ['y', 'x', 'y'] });
    expect(thrown(() => list.add(dup)).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('never lets instances without a platform, or unknown/unknown ones, collide', () => {
    const list = two
      .add(image('c'))
      .add(image('d'))
      .add(image('e', { os: 'unknown', architecture: 'unknown' }))
      .add(image('f', { os: 'unknown', architecture: 'unknown' }));
    expect(list.instances).toHaveLength(6);
  });

  it('refuses an invalid instance', () => {
    expect(thrown(() => two.add({ ...image('c'), size: -1 })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => two.add({ ...image('c'), mediaType: '' })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => two.add(image('c', { os: '', architecture: 'amd64' }))).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('remove and instance', () => {
  it('removes an instance', () => {
    expect(two.remove(fakeDigest('a')).instances).toEqual([arm64]);
  });

  it('names an unknown digest with ERR_MANIFEST_UNKNOWN', () => {
    for (const f of [() => two.remove(fakeDigest('9')), () => two.instance(fakeDigest('9'))]) {
      const err = thrown(f);
      expect(err.code).toBe('ERR_MANIFEST_UNKNOWN');
      expect(err.message).toContain(fakeDigest('9'));
    }
  });
});

describe('annotate', () => {
  it('replaces platform fields and feature lists, and merges annotations as podman does', () => {
    const list = two
      .annotate(fakeDigest('a'), { annotations: { a: '1', b: '2' }, osFeatures: ['x'], features: ['f1'] })
      .annotate(fakeDigest('a'), { annotations: { b: '3', c: '' }, osFeatures: ['y'], osVersion: '1.0' });
    expect(list.instance(fakeDigest('a'))).toEqual({
      ...amd64,
      platform: { os: 'linux', architecture: 'amd64', osVersion: '1.0', osFeatures: ['y'], features: ['f1'] },
      annotations: { a: '1', b: '3', c: '' },
    });
  });

  it('drops the old variant when only the architecture changes, and empties remove fields', () => {
    const moved = two.annotate(fakeDigest('b'), { architecture: 'riscv64' });
    expect(moved.instance(fakeDigest('b')).platform).toEqual({ os: 'linux', architecture: 'riscv64' });
    const set = two.annotate(fakeDigest('b'), { architecture: 'arm', variant: 'v6' });
    expect(set.instance(fakeDigest('b')).platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    const cleared = set.annotate(fakeDigest('b'), { variant: '', features: [], urls: [] });
    expect(cleared.instance(fakeDigest('b')).platform).toEqual({ os: 'linux', architecture: 'arm' });
  });

  it('gives a platform to an artifact only with both os and architecture', () => {
    const list = two.add(image('c'));
    expect(thrown(() => list.annotate(fakeDigest('c'), { os: 'linux' })).code).toBe('ERR_INVALID_ARGUMENT');
    const placed = list.annotate(fakeDigest('c'), { os: 'linux', architecture: 's390x' });
    expect(placed.instance(fakeDigest('c')).platform).toEqual({ os: 'linux', architecture: 's390x' });
  });

  it('refuses a change that makes a duplicate platform, and an unknown digest', () => {
    const dup = thrown(() => two.annotate(fakeDigest('a'), { architecture: 'arm64' }));
    expect(dup.code).toBe('ERR_INVALID_ARGUMENT');
    expect(dup.message).toContain('duplicate platform');
    const unknown = thrown(() => two.annotate(fakeDigest('9'), { os: 'linux' }));
    expect(unknown.code).toBe('ERR_MANIFEST_UNKNOWN');
    expect(unknown.message).toContain(fakeDigest('9'));
  });

  it('edits the list: annotations merge, subject and artifactType replace or go', () => {
    const subject = { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: fakeDigest('e'), size: 9 };
    const list = two
      .annotateList({ annotations: { a: '1' }, subject, artifactType: 'application/x.t' })
      .annotateList({ annotations: { b: '2' } });
    expect(list.annotations).toEqual({ a: '1', b: '2' });
    expect(list.subject).toEqual(subject);
    expect(list.artifactType).toBe('application/x.t');
    const cleared = list.annotateList({ subject: null, artifactType: '' });
    expect(cleared.subject).toBeUndefined();
    expect(cleared.artifactType).toBeUndefined();
    expect(cleared.annotations).toEqual({ a: '1', b: '2' });
  });
});

describe('immutability', () => {
  it('leaves the original list as it was after every edit', () => {
    const before = two.serialize('oci').digest;
    two.add(image('c', { os: 'linux', architecture: 's390x' }));
    two.remove(fakeDigest('a'));
    two.annotate(fakeDigest('a'), { annotations: { k: 'v' }, os: 'freebsd' });
    two.annotateList({ annotations: { k: 'v' } });
    expect(two.serialize('oci').digest).toBe(before);
    expect(two.instances).toHaveLength(2);
  });

  it('freezes the value, its instances and what the caller passed in is copied', () => {
    const features = ['sse4'];
    const annotations: Record<string, string> = { k: 'v' };
    const list = ManifestList.empty().add({
      ...image('c', { os: 'linux', architecture: 'amd64', features }),
      annotations,
    });
    features.push('avx');
    annotations.k = 'changed';
    expect(list.instance(fakeDigest('c')).platform?.features).toEqual(['sse4']);
    expect(list.instance(fakeDigest('c')).annotations).toEqual({ k: 'v' });
    expect(Object.isFrozen(list)).toBe(true);
    expect(Object.isFrozen(list.instances)).toBe(true);
    expect(Object.isFrozen(list.instances[0])).toBe(true);
    expect(Object.isFrozen(list.instances[0]?.platform)).toBe(true);
    expect(() => (list.instances as ListInstance[]).push(image('d'))).toThrow(TypeError);
    const parsed = ManifestList.parse(new TextEncoder().encode(DOCKER_LIST_TEXT));
    expect(Object.isFrozen(parsed.annotations)).toBe(true);
  });
});
