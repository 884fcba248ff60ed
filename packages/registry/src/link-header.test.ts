import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { nextLink } from './link-header.ts';

const base = new URL('https://registry.example:5000/v2/_catalog?n=2');

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('nextLink', () => {
  it('resolves a relative next link against the request URL', () => {
    expect(nextLink('</v2/_catalog?last=b&n=2>; rel="next"', base)?.href).toBe(
      'https://registry.example:5000/v2/_catalog?last=b&n=2',
    );
    expect(nextLink('<?last=c&n=2>; rel=next', base)?.href).toBe(
      'https://registry.example:5000/v2/_catalog?last=c&n=2',
    );
  });

  it('accepts an absolute link on the same origin', () => {
    const link = '<https://registry.example:5000/v2/foo/tags/list?last=1.0&n=100>; rel="next"';
    expect(nextLink(link, base)?.pathname).toBe('/v2/foo/tags/list');
  });

  it('returns undefined without a header or without a next link', () => {
    expect(nextLink(undefined, base)).toBeUndefined();
    expect(nextLink('', base)).toBeUndefined();
    expect(nextLink('</v2/_catalog?n=2>; rel="prev"', base)).toBeUndefined();
  });

  it('picks the next link among several, with commas inside targets and quoted params', () => {
    const header =
      '</v2/_catalog?a=1,2>; rel="prev"; title="a, b; c", </v2/_catalog?last=z,y&n=2>; title=x; REL="Last NEXT"';
    expect(nextLink(header, base)?.search).toBe('?last=z,y&n=2');
  });

  it('counts only the first rel parameter (RFC 8288)', () => {
    expect(nextLink('</a>; rel="prev"; rel="next"', base)).toBeUndefined();
  });

  it('refuses a next link to another origin', () => {
    for (const target of ['https://evil.example/v2/_catalog', 'http://registry.example:5000/v2/x', '//other:5000/v2']) {
      const error = errorOf(() => nextLink(`<${target}>; rel="next"`, base));
      expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toContain('another origin');
    }
  });

  it('drops userinfo from the link', () => {
    const url = nextLink('<https://u:p@registry.example:5000/v2/x>; rel="next"', base);
    expect(url?.href).toBe('https://registry.example:5000/v2/x');
  });

  it.each([
    ['/v2/_catalog; rel="next"', 'expected "<"'],
    ['</v2/_catalog; rel="next"', 'unterminated "<"'],
    ['</v2/x>; rel="next', 'unterminated quoted string'],
    ['</v2/x> rel="next"', 'expected "," or ";"'],
    ['</v2/x>; ="next"', 'expected a parameter name'],
  ])('rejects the malformed header %j', (header, reason) => {
    const error = errorOf(() => nextLink(header, base));
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain(reason);
  });
});
