import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { parseReference, withName } from './parse-reference.ts';

const HEX = 'f'.repeat(64);
const SHA256 = `sha256:${HEX}`;
const SHA512 = `sha512:${'e'.repeat(128)}`;

/** [input, domain, path, tag, digest] for text the strict grammar accepts. */
const VALID: readonly (readonly [string, string, string, (string | undefined)?, (string | undefined)?])[] = [
  ['test_com', '', 'test_com'],
  ['test.com:tag', '', 'test.com', 'tag'],
  ['test.com:5000', '', 'test.com', '5000'],
  ['test.com/repo:tag', 'test.com', 'repo', 'tag'],
  ['test:5000/repo', 'test:5000', 'repo'],
  ['test:5000/repo:tag', 'test:5000', 'repo', 'tag'],
  [`test:5000/repo@${SHA256}`, 'test:5000', 'repo', undefined, SHA256],
  [`test:5000/repo:tag@${SHA256}`, 'test:5000', 'repo', 'tag', SHA256],
  [`repo@${SHA512}`, '', 'repo', undefined, SHA512],
  ['lowercase:Uppercase', '', 'lowercase', 'Uppercase'],
  ['Uppercase/lowercase:tag', 'Uppercase', 'lowercase', 'tag'],
  ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'bar/baz/quux'],
  ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com', 'bar/baz/quux', 'some-long-tag'],
  ['b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io', 'test.example.com/my-app', 'test.example.com'],
  ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com', 'myimage', 'xn--n3h.com'],
  [`xn--7o8h.com/myimage:xn--7o8h.com@${SHA256}`, 'xn--7o8h.com', 'myimage', 'xn--7o8h.com', SHA256],
  ['foo_bar.com:8080', '', 'foo_bar.com', '8080'],
  ['foo/foo_bar.com:8080', 'foo', 'foo_bar.com', '8080'],
  ['192.168.1.1', '', '192.168.1.1'],
  ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000', 'repo', '5050'],
  ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo'],
  ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]', 'repo', 'tag'],
  ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'repo'],
  [`[2001:db8::1]:5000/repo:tag@${SHA256}`, '[2001:db8::1]:5000', 'repo', 'tag', SHA256],
  ['[::1]:5000/a', '[::1]:5000', 'a'],
  ['localhost/a__b/c--d/e.f/g_h', 'localhost', 'a__b/c--d/e.f/g_h'],
  ['a---b', '', 'a---b'],
  ['a/b:_tag', 'a', 'b', '_tag'],
  [`a:${'t'.repeat(128)}`, '', 'a', 't'.repeat(128)],
];

/** [input, part of the expected message]. */
const INVALID: readonly (readonly [string, string])[] = [
  ['', 'at least one component'],
  [':justtag', 'invalid reference format'],
  [`@${SHA256}`, 'invalid reference format'],
  ['repo@sha256:ffffffffffffffffffffffffffffffffff', 'invalid digest format'],
  [`validname@invaliddigest:${HEX}`, 'unsupported algorithm'],
  [`validname@sha384:${'f'.repeat(96)}`, 'unsupported algorithm'],
  [`repo@sha256:${'F'.repeat(64)}`, 'lowercase hex'],
  [`repo@sha256:${'f'.repeat(63)}`, 'invalid digest format'],
  [`repo@sha256:${'f'.repeat(31)}`, 'invalid reference format'],
  [`repo@sha256:${'f'.repeat(65)}`, 'invalid digest format'],
  ['repo@sha256', 'invalid reference format'],
  ['Uppercase:tag', 'must be lowercase'],
  ['test:5000/Uppercase/lowercase:tag', 'must be lowercase'],
  ['aa/asdf$$^/aa', 'invalid reference format'],
  ['[2001:db8::1]', 'invalid reference format'],
  ['[2001:db8::1]:5000', 'invalid reference format'],
  ['[2001:db8::1]:tag', 'invalid reference format'],
  ['[fe80::1%eth0]:5000/repo', 'invalid reference format'],
  ['[fe80::1%@invalidzone]:5000/repo', 'invalid reference format'],
  ['-foo', 'invalid reference format'],
  ['foo-', 'invalid reference format'],
  ['foo..bar', 'invalid reference format'],
  ['foo___bar', 'invalid reference format'],
  ['a//b', 'invalid reference format'],
  ['a/', 'invalid reference format'],
  ['/a', 'invalid reference format'],
  ['a:-tag', 'invalid reference format'],
  ['a:', 'invalid reference format'],
  [`a:${'t'.repeat(129)}`, 'invalid reference format'],
  ['a@', 'invalid reference format'],
  ['-domain.com/a', 'invalid reference format'],
  ['domain-.com/a', 'invalid reference format'],
  ['domain.com:port/a', 'invalid reference format'],
  ['a b', 'invalid reference format'],
  ['a\n', 'invalid reference format'],
  ['busybox:latest ', 'invalid reference format'],
  ['docker://busybox', 'invalid reference format'],
  [`domain/${'a'.repeat(256)}:tag`, 'must not be more than 255 characters'],
];

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseReference', () => {
  it.each(VALID.map((row) => [row[0], row] as const))('accepts %j', (input, [, domain, path, tag, digest]) => {
    const ref = parseReference(input);
    expect(ref.domain).toBe(domain);
    expect(ref.path).toBe(path);
    expect(ref.name).toBe(domain === '' ? path : `${domain}/${path}`);
    expect(ref.tag).toBe(tag);
    expect(ref.digest).toBe(digest);
    expect(ref.toString()).toBe(input);
    expect(String(ref)).toBe(input);
    expect(`${ref}`).toBe(input);
  });

  it.each(INVALID)('refuses %j', (input, rule) => {
    const error = errorOf(() => parseReference(input));
    expect(isImageError(error, 'ERR_INVALID_REFERENCE')).toBe(true);
    expect((error as Error).message).toContain(rule);
    expect((error as Error).message).toContain(JSON.stringify(input));
  });

  it('keeps the digest error as the cause', () => {
    const error = errorOf(() => parseReference(`repo@sha256:${'F'.repeat(64)}`)) as Error;
    expect(isImageError(error.cause, 'ERR_INVALID_DIGEST')).toBe(true);
  });

  it('sets kind from the parts present', () => {
    expect(parseReference('a').kind).toBe('name');
    expect(parseReference('a:t').kind).toBe('tagged');
    expect(parseReference(`a@${SHA256}`).kind).toBe('digested');
    expect(parseReference(`a:t@${SHA256}`).kind).toBe('tagged-digested');
  });

  it('omits absent parts rather than setting them to undefined', () => {
    const ref = parseReference('a');
    expect('tag' in ref).toBe(false);
    expect('digest' in ref).toBe(false);
  });

  it('returns a frozen value', () => {
    const ref = parseReference('quay.io/a/b:c');
    expect(Object.isFrozen(ref)).toBe(true);
    expect(() => {
      (ref as { tag: string }).tag = 'x';
    }).toThrow(TypeError);
    expect(ref.tag).toBe('c');
  });

  it('allows a name of exactly 255 characters and refuses 256', () => {
    const at255 = `${'a/'.repeat(127)}a`;
    expect(at255).toHaveLength(255);
    const ref = parseReference(`${at255}:tag-puts-this-over-max`);
    expect(ref.domain).toBe('a');
    expect(ref.name).toBe(at255);
    const error = errorOf(() => parseReference(`${at255}b`));
    expect(isImageError(error, 'ERR_INVALID_REFERENCE')).toBe(true);
    expect((error as Error).message).toContain('repository name must not be more than 255 characters');
  });

  it('counts the domain in the 255-character limit, as containers/image does', () => {
    const domain = 'registry.example.com:5000';
    const path = 'p'.repeat(255 - domain.length - 1);
    expect(parseReference(`${domain}/${path}`).name).toHaveLength(255);
    expect(() => parseReference(`${domain}/${path}p`)).toThrow(/255 characters/);
  });

  it('clips very long input in the message', () => {
    const error = errorOf(() => parseReference(`${'a'.repeat(10_000)}!`)) as Error;
    expect(error.message.length).toBeLessThan(500);
  });

  it('refuses a value that is not a string with an ImageError', () => {
    const error = errorOf(() => parseReference(42 as unknown as string));
    expect(isImageError(error, 'ERR_INVALID_REFERENCE')).toBe(true);
    expect((error as Error).message).toContain('number');
  });
});

describe('withName', () => {
  it('parses a name with and without a domain', () => {
    const ref = withName('localhost:5000/team/app');
    expect([ref.kind, ref.domain, ref.path, ref.toString()]).toEqual([
      'name',
      'localhost:5000',
      'team/app',
      'localhost:5000/team/app',
    ]);
    expect(withName('app').domain).toBe('');
  });

  it.each(['', 'app:tag', `app@${SHA256}`, 'App', 'a'.repeat(256)])('refuses %j', (input) => {
    expect(
      isImageError(
        errorOf(() => withName(input)),
        'ERR_INVALID_REFERENCE',
      ),
    ).toBe(true);
  });
});
