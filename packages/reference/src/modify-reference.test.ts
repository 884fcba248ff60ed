import { isImageError, parseDigest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TAG, tagNameOnly, trimNamed, withDefaultTag, withDigest, withTag } from './modify-reference.ts';
import { parseNormalizedNamed } from './normalize.ts';
import { parseReference } from './parse-reference.ts';
import { isDigested, isNameOnly, isTagged, isTaggedDigested } from './reference-kind.ts';

const SHA256 = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha512:${'b'.repeat(128)}`;

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('withTag', () => {
  it('adds or replaces the tag and keeps the digest', () => {
    const name = parseNormalizedNamed('busybox');
    expect(withTag(name, '1.36').toString()).toBe('docker.io/library/busybox:1.36');
    expect(withTag(parseNormalizedNamed('busybox:old'), 'new').tag).toBe('new');
    const both = withTag(parseNormalizedNamed(`busybox@${SHA256}`), 't');
    expect([both.kind, both.tag, both.digest]).toEqual(['tagged-digested', 't', SHA256]);
    expect(both.toString()).toBe(`docker.io/library/busybox:t@${SHA256}`);
  });

  it('leaves its input unchanged', () => {
    const name = parseNormalizedNamed('busybox');
    withTag(name, 'x');
    expect(name.toString()).toBe('docker.io/library/busybox');
  });

  it.each(['-foo', '', '.x', 'a b', 't'.repeat(129), 'a:b', 'a@b'])('refuses the tag %j', (tag) => {
    const error = errorOf(() => withTag(parseNormalizedNamed('busybox'), tag));
    expect(isImageError(error, 'ERR_INVALID_REFERENCE')).toBe(true);
    expect(error.message).toContain('invalid tag format');
    expect(error.message).toContain('docker.io/library/busybox:');
  });

  it('accepts the longest and the oddest valid tags', () => {
    expect(withTag(parseReference('a'), 'T'.repeat(128)).tag).toHaveLength(128);
    expect(withTag(parseReference('a'), '_.-').tag).toBe('_.-');
  });
});

describe('withDigest', () => {
  it('adds or replaces the digest and keeps the tag', () => {
    const tagged = parseNormalizedNamed('busybox:1');
    const both = withDigest(tagged, SHA256);
    expect([both.kind, both.tag, both.digest]).toEqual(['tagged-digested', '1', SHA256]);
    const replaced = withDigest(both, parseDigest(OTHER));
    expect(replaced.digest).toBe(OTHER);
    expect(replaced.toString()).toBe(`docker.io/library/busybox:1@${OTHER}`);
    expect(withDigest(parseNormalizedNamed('busybox'), SHA256).kind).toBe('digested');
  });

  it.each(['foo', `sha256:${'A'.repeat(64)}`, `sha384:${'a'.repeat(96)}`, 'sha256:abc'])('refuses %j', (digest) => {
    const error = errorOf(() => withDigest(parseNormalizedNamed('busybox'), digest));
    expect(isImageError(error, 'ERR_INVALID_REFERENCE')).toBe(true);
    expect(error.message).toContain('invalid digest format');
    expect(isImageError(error.cause, 'ERR_INVALID_DIGEST')).toBe(true);
  });
});

describe('trimNamed', () => {
  it('drops tag and digest', () => {
    const ref = trimNamed(parseNormalizedNamed(`quay.io/a/b:t@${SHA256}`));
    expect([ref.kind, ref.toString(), ref.domain, ref.path]).toEqual(['name', 'quay.io/a/b', 'quay.io', 'a/b']);
    expect('tag' in ref || 'digest' in ref).toBe(false);
  });
});

describe('withDefaultTag', () => {
  it('adds :latest only when there is neither tag nor digest', () => {
    expect(DEFAULT_TAG).toBe('latest');
    expect(withDefaultTag(parseNormalizedNamed('busybox')).toString()).toBe('docker.io/library/busybox:latest');
    expect(withDefaultTag(parseNormalizedNamed('busybox:1')).tag).toBe('1');
    const digested = withDefaultTag(parseNormalizedNamed(`busybox@${SHA256}`));
    expect([digested.kind, digested.tag]).toEqual(['digested', undefined]);
    expect(withDefaultTag(parseNormalizedNamed(`busybox:1@${SHA256}`)).kind).toBe('tagged-digested');
  });

  it("is also exported under distribution's name", () => {
    expect(tagNameOnly(parseReference('a')).toString()).toBe('a:latest');
  });
});

describe('kind guards', () => {
  const cases = [
    ['a', [true, false, false, false]],
    ['a:t', [false, true, false, false]],
    [`a@${SHA256}`, [false, false, true, false]],
    [`a:t@${SHA256}`, [false, true, true, true]],
  ] as const;

  it.each(cases)('classify %j', (text, expected) => {
    const ref = parseReference(text);
    expect([isNameOnly(ref), isTagged(ref), isDigested(ref), isTaggedDigested(ref)]).toEqual(expected);
  });

  it('narrow the type', () => {
    const ref = parseReference(`a:t@${SHA256}`);
    if (!isTagged(ref) || !isDigested(ref)) throw new Error('expected tag and digest');
    const tag: string = ref.tag;
    expect(tag).toBe('t');
    expect(ref.digest.startsWith('sha256:')).toBe(true);
  });
});
