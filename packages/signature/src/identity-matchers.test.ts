import { parseNormalizedNamed } from '@ferry/reference';
import type { NamedReference } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { isValidRemapPrefix, matchesSignedIdentity } from './identity-matchers.ts';
import type { SignedIdentity } from './policy-types.ts';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const ref = (text: string): NamedReference => parseNormalizedNamed(text);

const exact: SignedIdentity = { type: 'matchExact' };
const repoDigest: SignedIdentity = { type: 'matchRepoDigestOrExact' };
const repository: SignedIdentity = { type: 'matchRepository' };

describe('matchesSignedIdentity', () => {
  it.each<[string, SignedIdentity, string | undefined, string, boolean]>([
    // matchExact: both must carry a tag or digest and be equal after normalization
    ['exact: same tag', exact, 'busybox:latest', 'docker.io/library/busybox:latest', true],
    ['exact: short signed form', exact, 'docker.io/library/busybox:latest', 'busybox:latest', true],
    ['exact: other tag', exact, 'busybox:latest', 'busybox:1', false],
    ['exact: same digest', exact, `busybox@${D1}`, `busybox@${D1}`, true],
    ['exact: tag vs digest', exact, 'busybox:latest', `busybox@${D1}`, false],
    ['exact: signed name only', exact, 'busybox:latest', 'busybox', false],
    ['exact: image name only', exact, 'busybox', 'busybox', false],
    ['exact: other repo', exact, 'busybox:latest', 'alpine:latest', false],
    ['exact: no image reference', exact, undefined, 'busybox:latest', false],
    ['exact: unparseable claim', exact, 'busybox:latest', 'Busybox:latest', false],
    // matchRepoDigestOrExact
    ['repoDigest: tagged image, same tag', repoDigest, 'quay.io/a/b:v1', 'quay.io/a/b:v1', true],
    ['repoDigest: tagged image, other tag', repoDigest, 'quay.io/a/b:v1', 'quay.io/a/b:v2', false],
    ['repoDigest: tagged image, digest claim', repoDigest, 'quay.io/a/b:v1', `quay.io/a/b@${D1}`, false],
    ['repoDigest: digest image, tag claim', repoDigest, `quay.io/a/b@${D1}`, 'quay.io/a/b:v9', true],
    ['repoDigest: digest image, other digest claim', repoDigest, `quay.io/a/b@${D1}`, `quay.io/a/b@${D2}`, true],
    ['repoDigest: digest image, other repo', repoDigest, `quay.io/a/b@${D1}`, 'quay.io/a/c:v1', false],
    ['repoDigest: digest image, name-only claim', repoDigest, `quay.io/a/b@${D1}`, 'quay.io/a/b', false],
    ['repoDigest: tag+digest image, exact', repoDigest, `quay.io/a/b:v1@${D1}`, `quay.io/a/b:v1@${D1}`, true],
    ['repoDigest: tag+digest image, tag only', repoDigest, `quay.io/a/b:v1@${D1}`, 'quay.io/a/b:v1', false],
    ['repoDigest: name-only image', repoDigest, 'quay.io/a/b', 'quay.io/a/b:v1', false],
    ['repoDigest: no image reference', repoDigest, undefined, 'quay.io/a/b:v1', false],
    // matchRepository
    ['repository: other tag', repository, 'quay.io/a/b:v1', 'quay.io/a/b:v2', true],
    ['repository: name-only claim', repository, 'quay.io/a/b:v1', 'quay.io/a/b', true],
    ['repository: other repo', repository, 'quay.io/a/b:v1', 'quay.io/a/bb:v1', false],
    ['repository: other registry', repository, 'quay.io/a/b:v1', 'docker.io/a/b:v1', false],
    ['repository: no image reference', repository, undefined, 'quay.io/a/b:v1', false],
  ])('%s', (_name, identity, image, signed, expected) => {
    expect(matchesSignedIdentity(identity, image === undefined ? undefined : ref(image), signed)).toBe(expected);
  });

  it.each<[string, string, string, boolean]>([
    ['same', 'busybox:1', 'docker.io/library/busybox:1', true],
    ['other tag', 'busybox:1', 'busybox:2', false],
    ['name-only claim', 'busybox:1', 'busybox', false],
    ['digest', `busybox@${D1}`, `busybox@${D1}`, true],
  ])('exactReference: %s, whatever the image', (_name, dockerReference, signed, expected) => {
    const identity: SignedIdentity = { type: 'exactReference', dockerReference };
    expect(matchesSignedIdentity(identity, undefined, signed)).toBe(expected);
    expect(matchesSignedIdentity(identity, ref('quay.io/other/image:x'), signed)).toBe(expected);
  });

  it.each<[string, string, boolean]>([
    ['vendor-hostname/product/repository', 'vendor-hostname/product/repository:latest', true],
    ['vendor-hostname/product/repository', 'docker.io/vendor-hostname/product/repository', true],
    ['vendor-hostname/product/repository', `vendor-hostname/product/repository@${D2}`, true],
    ['vendor-hostname/product/repository', 'vendor-hostname/product/other:latest', false],
    ['busybox:ignored-tag', 'busybox:1', true],
  ])('exactRepository %s, claim %s', (dockerRepository, signed, expected) => {
    const identity: SignedIdentity = { type: 'exactRepository', dockerRepository };
    expect(matchesSignedIdentity(identity, undefined, signed)).toBe(expected);
  });

  describe('remapIdentity', () => {
    const remap = (prefix: string, signedPrefix: string): SignedIdentity => ({
      type: 'remapIdentity',
      prefix,
      signedPrefix,
    });
    const mirror = remap('private-mirror:5000/vendor-mirror', 'vendor.example.com');

    it.each<[string, SignedIdentity, string | undefined, string, boolean]>([
      [
        'remapped tag',
        mirror,
        'private-mirror:5000/vendor-mirror/product-a/image1:latest',
        'vendor.example.com/product-a/image1:latest',
        true,
      ],
      [
        'claims the mirror itself',
        mirror,
        'private-mirror:5000/vendor-mirror/product-a/image1:latest',
        'private-mirror:5000/vendor-mirror/product-a/image1:latest',
        false,
      ],
      [
        'remapped, other tag',
        mirror,
        'private-mirror:5000/vendor-mirror/p/i:latest',
        'vendor.example.com/p/i:v2',
        false,
      ],
      [
        'remapped digest image',
        mirror,
        `private-mirror:5000/vendor-mirror/p/i@${D1}`,
        'vendor.example.com/p/i:any',
        true,
      ],
      [
        'prefix only at a path boundary',
        mirror,
        'private-mirror:5000/vendor-mirrorx/p:1',
        'vendor.example.comx/p:1',
        false,
      ],
      ['not under the prefix: matched as is', mirror, 'quay.io/a/b:1', 'quay.io/a/b:1', true],
      ['not under the prefix: other claim', mirror, 'quay.io/a/b:1', 'vendor.example.com/a/b:1', false],
      [
        'prefix equal to the whole name',
        remap('quay.io/a/b', 'example.com/x/y'),
        'quay.io/a/b:1',
        'example.com/x/y:1',
        true,
      ],
      [
        'host-only prefix',
        remap('mirror.local:5000', 'docker.io'),
        'mirror.local:5000/library/busybox:1',
        'busybox:1',
        true,
      ],
      [
        'port is part of the host',
        remap('mirror.local', 'docker.io'),
        'mirror.local:5000/library/busybox:1',
        'busybox:1',
        false,
      ],
      // docker.io/busybox is not canonical (docker.io/library/busybox is): c/image's ParseNamed refuses the rewrite
      [
        'remapped to a non-canonical name',
        remap('mirror.local/library', 'docker.io'),
        'mirror.local/library/busybox:1',
        'busybox:1',
        false,
      ],
      [
        'remapped to an invalid name',
        remap('mirror.local', 'Docker.io/UP'),
        'mirror.local/x:1',
        'docker.io/up/x:1',
        false,
      ],
      ['no image reference', mirror, undefined, 'vendor.example.com/p/i:latest', false],
    ])('%s', (_name, identity, image, signed, expected) => {
      expect(matchesSignedIdentity(identity, image === undefined ? undefined : ref(image), signed)).toBe(expected);
    });
  });

  it('compares by parts, so any NamedReference implementation works', () => {
    const plain: NamedReference = {
      domain: 'quay.io',
      path: 'a/b',
      name: 'quay.io/a/b',
      tag: 'v1',
      toString: () => 'something else entirely',
    };
    expect(matchesSignedIdentity(exact, plain, 'quay.io/a/b:v1')).toBe(true);
  });
});

describe('isValidRemapPrefix', () => {
  it.each([
    ['example.com', true],
    ['example.com:5000', true],
    ['example.com/ns', true],
    ['example.com/ns/repo', true],
    ['localhost', true],
    ['example.com/ns:tag', false],
    [`example.com/ns@${D1}`, false],
    ['example.com/NS', false],
    ['', false],
    ['/ns', false],
    ['example.com/', false],
  ])('%j → %s', (prefix, expected) => {
    expect(isValidRemapPrefix(prefix)).toBe(expected);
  });
});
