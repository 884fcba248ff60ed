import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { familiarName, familiarString } from './familiar.ts';
import { parseDockerRef, parseNamed, parseNormalizedNamed } from './normalize.ts';
import { parseReference } from './parse-reference.ts';

const SHA256 = `sha256:${'e'.repeat(64)}`;

/** [familiar name, full name, domain, path], after distribution's normalization table. */
const NAMES: readonly (readonly [string, string, string, string])[] = [
  ['localhost/fooo', 'localhost/fooo', 'localhost', 'fooo'],
  ['localhost/fooo/bar', 'localhost/fooo/bar', 'localhost', 'fooo/bar'],
  ['LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN', 'fooo'],
  ['fooo/bar', 'docker.io/fooo/bar', 'docker.io', 'fooo/bar'],
  ['ubuntu', 'docker.io/library/ubuntu', 'docker.io', 'library/ubuntu'],
  ['nonlibrary/ubuntu', 'docker.io/nonlibrary/ubuntu', 'docker.io', 'nonlibrary/ubuntu'],
  ['other/library', 'docker.io/other/library', 'docker.io', 'other/library'],
  ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000/private/moonbase', '127.0.0.1:8000', 'private/moonbase'],
  ['example.com/privatebase', 'example.com/privatebase', 'example.com', 'privatebase'],
  ['example.com:8000/private/moonbase', 'example.com:8000/private/moonbase', 'example.com:8000', 'private/moonbase'],
  ['ubuntu-12.04-base', 'docker.io/library/ubuntu-12.04-base', 'docker.io', 'library/ubuntu-12.04-base'],
  ['library/foo/bar', 'docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
  ['store/foo/bar', 'docker.io/store/foo/bar', 'docker.io', 'store/foo/bar'],
  ['Foo/bar', 'Foo/bar', 'Foo', 'bar'],
  ['FOO/bar', 'FOO/bar', 'FOO', 'bar'],
  ['[::1]:5000/app', '[::1]:5000/app', '[::1]:5000', 'app'],
  ['[2001:db8::1]/app', '[2001:db8::1]/app', '[2001:db8::1]', 'app'],
  ['quay.io/podman/stable', 'quay.io/podman/stable', 'quay.io', 'podman/stable'],
];

/** Texts that normalize to the given full reference. */
const EQUIVALENT: readonly (readonly [string, string])[] = [
  ['busybox', 'docker.io/library/busybox'],
  ['busybox:latest', 'docker.io/library/busybox:latest'],
  ['docker.io/busybox', 'docker.io/library/busybox'],
  ['docker.io/library/busybox', 'docker.io/library/busybox'],
  ['index.docker.io/busybox:1.36', 'docker.io/library/busybox:1.36'],
  ['index.docker.io/user/app', 'docker.io/user/app'],
  [`busybox@${SHA256}`, `docker.io/library/busybox@${SHA256}`],
  [`busybox:1@${SHA256}`, `docker.io/library/busybox:1@${SHA256}`],
  ['localhost', 'docker.io/library/localhost'],
  ['localhost:5000', 'docker.io/library/localhost:5000'],
  ['localhost:5000/x', 'localhost:5000/x'],
  ['example.com', 'docker.io/library/example.com'],
  ['test_com/foo', 'docker.io/test_com/foo'],
  ['test-com:8080/foo', 'test-com:8080/foo'],
  ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080/foo'],
  ['docker/migrator', 'docker.io/docker/migrator'],
  ['a'.repeat(63), `docker.io/library/${'a'.repeat(63)}`],
  [`${'a'.repeat(63)}g`, `docker.io/library/${'a'.repeat(63)}g`],
];

const INVALID: readonly (readonly [string, string])[] = [
  ['https://github.com/docker/docker', 'invalid reference format'],
  ['docker/Docker', 'repository name (docker/Docker) must be lowercase'],
  ['Uppercase:tag', 'repository name (library/Uppercase) must be lowercase'],
  ['-docker', 'invalid reference format'],
  ['-docker/docker', 'invalid reference format'],
  ['docker///docker', 'invalid reference format'],
  ['docker.io/docker///docker', 'invalid reference format'],
  ['1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', 'cannot specify 64-byte hexadecimal'],
  ['docker/-docker', 'invalid reference format'],
  [
    'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker',
    'must not be more than 255',
  ],
  ['docker./docker', 'invalid reference format'],
  ['.docker/docker', 'invalid reference format'],
  ['docker-/docker', 'invalid reference format'],
  ['docker.io/', 'invalid reference format'],
  ['', 'invalid reference format'],
  [`${'a'.repeat(238)}`, 'must not be more than 255'],
];

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('parseNormalizedNamed', () => {
  it.each(NAMES)('normalizes %j and back', (familiar, full, domain, path) => {
    for (const text of [familiar, full]) {
      const ref = parseNormalizedNamed(text);
      expect(ref.toString()).toBe(full);
      expect(ref.name).toBe(full);
      expect(ref.domain).toBe(domain);
      expect(ref.path).toBe(path);
      expect(familiarName(ref)).toBe(familiar);
    }
  });

  it.each(EQUIVALENT)('reads %j as %j', (text, full) => {
    expect(parseNormalizedNamed(text).toString()).toBe(full);
  });

  it.each(INVALID)('refuses %j', (input, rule) => {
    const error = errorOf(() => parseNormalizedNamed(input));
    expect(isImageError(error, 'ERR_INVALID_REFERENCE')).toBe(true);
    expect(error.message).toContain(rule);
    // the message names what the caller typed, not the expanded docker.io/library/… form
    expect(error.message).toContain(JSON.stringify(input.length > 300 ? input.slice(0, 300) : input).slice(0, -1));
  });

  it('allows a 64-character name that is not hexadecimal, and a hexadecimal one with a domain', () => {
    const hex = 'a'.repeat(64);
    expect(parseNormalizedNamed(`${'a'.repeat(63)}x`).path).toBe(`library/${'a'.repeat(63)}x`);
    expect(parseNormalizedNamed(`docker.io/${hex}`).path).toBe(`library/${hex}`);
    expect(parseNormalizedNamed(`${hex}:tag`).tag).toBe('tag');
  });

  it('does not add a default tag', () => {
    expect(parseNormalizedNamed('busybox').kind).toBe('name');
  });

  it('refuses a value that is not a string with an ImageError', () => {
    expect(
      isImageError(
        errorOf(() => parseNormalizedNamed(undefined as unknown as string)),
        'ERR_INVALID_REFERENCE',
      ),
    ).toBe(true);
  });
});

describe('familiarString', () => {
  it.each([
    ['docker.io/library/busybox:latest', 'busybox:latest'],
    [`docker.io/library/busybox:1@${SHA256}`, `busybox:1@${SHA256}`],
    [`docker.io/library/busybox@${SHA256}`, `busybox@${SHA256}`],
    ['docker.io/library/a/b:t', 'library/a/b:t'],
    ['docker.io/user/app', 'user/app'],
    ['quay.io/library/app:t', 'quay.io/library/app:t'],
    ['localhost/app', 'localhost/app'],
  ])('shortens %j to %j', (full, familiar) => {
    const ref = parseNormalizedNamed(full);
    expect(familiarString(ref)).toBe(familiar);
    expect(parseNormalizedNamed(familiar).toString()).toBe(full);
  });

  it('works on strictly parsed references and on any NamedReference', () => {
    expect(familiarString(parseReference('library/busybox:1'))).toBe('library/busybox:1');
    expect(familiarString(parseReference('docker.io/library/busybox:1'))).toBe('busybox:1');
    const foreign = { domain: 'docker.io', path: 'library/app', name: 'docker.io/library/app', tag: 't' };
    expect(familiarString(foreign)).toBe('app:t');
    expect(familiarName(foreign)).toBe('app');
  });
});

describe('familiar form quirks kept from distribution', () => {
  it('drops docker.io even when the familiar text then reads differently', () => {
    // a Docker Hub path whose first component looks like a host is shortened anyway, as docker does
    const ref = parseNormalizedNamed('docker.io/x.y/z');
    expect([ref.domain, ref.path]).toEqual(['docker.io', 'x.y/z']);
    expect(familiarString(ref)).toBe('x.y/z');
    expect(parseNormalizedNamed('x.y/z').domain).toBe('x.y');
  });
});

describe('a first component that looks like a host but is not one', () => {
  it('ends up in the path with no domain, as in distribution', () => {
    const ref = parseNormalizedNamed('foo_bar.com/x');
    expect([ref.domain, ref.path, ref.toString()]).toEqual(['', 'foo_bar.com/x', 'foo_bar.com/x']);
  });
});

describe('parseNamed', () => {
  it('accepts normalized text', () => {
    expect(parseNamed('docker.io/library/busybox:latest').tag).toBe('latest');
    expect(parseNamed('quay.io/a/b').domain).toBe('quay.io');
  });

  it.each(['busybox', 'docker.io/busybox', 'index.docker.io/library/busybox'])('refuses %j', (text) => {
    const error = errorOf(() => parseNamed(text));
    expect(isImageError(error, 'ERR_INVALID_REFERENCE')).toBe(true);
    expect(error.message).toContain('must be canonical');
  });
});

describe('parseDockerRef', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest', 'tagged'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'tagged'],
    [`busybox@${SHA256}`, `docker.io/library/busybox@${SHA256}`, 'digested'],
    [`busybox:1.36@${SHA256}`, `docker.io/library/busybox@${SHA256}`, 'digested'],
    ['localhost:5000/app', 'localhost:5000/app:latest', 'tagged'],
  ])('resolves %j to %j', (text, full, kind) => {
    const ref = parseDockerRef(text);
    expect(ref.toString()).toBe(full);
    expect(ref.kind).toBe(kind);
  });

  it('refuses what parseNormalizedNamed refuses', () => {
    expect(
      isImageError(
        errorOf(() => parseDockerRef('Busybox')),
        'ERR_INVALID_REFERENCE',
      ),
    ).toBe(true);
  });
});
