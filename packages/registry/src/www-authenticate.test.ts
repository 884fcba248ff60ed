import { isImageError } from '@ferry/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from './www-authenticate.ts';

function plain(params: Readonly<Record<string, string>>): Record<string, string> {
  return { ...params };
}

describe('parseWwwAuthenticate', () => {
  it('parses the Docker Hub bearer challenge with commas inside a quoted scope', () => {
    const header =
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"';
    const challenges = parseWwwAuthenticate(header, 'docker.io');
    expect(challenges).toHaveLength(1);
    expect(challenges[0]?.scheme).toBe('bearer');
    expect(plain(challenges[0]?.params ?? {})).toEqual({
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: 'repository:samalba/my-app:pull,push',
    });
  });

  it('splits several challenges in one header (RFC 7235 example) and lower-cases scheme and keys', () => {
    const header = 'Newauth realm="apps", type=1,\ttitle="Login to \\"apps\\"", BASIC Realm="simple"';
    const challenges = parseWwwAuthenticate(header);
    expect(challenges.map((c) => c.scheme)).toEqual(['newauth', 'basic']);
    expect(plain(challenges[0]?.params ?? {})).toEqual({ realm: 'apps', type: '1', title: 'Login to "apps"' });
    expect(plain(challenges[1]?.params ?? {})).toEqual({ realm: 'simple' });
  });

  it('reads token68 challenges and bare schemes', () => {
    const challenges = parseWwwAuthenticate('Negotiate abc==, NTLM, Basic realm="x"');
    expect(challenges.map((c) => [c.scheme, c.token68])).toEqual([
      ['negotiate', 'abc=='],
      ['ntlm', undefined],
      ['basic', undefined],
    ]);
    expect(parseWwwAuthenticate('Negotiate a/b+c.d~_-')[0]?.token68).toBe('a/b+c.d~_-');
    expect(parseWwwAuthenticate('Basic')).toEqual([{ scheme: 'basic', params: {} }]);
  });

  it('tolerates extra whitespace, empty list elements and whitespace around "="', () => {
    const challenges = parseWwwAuthenticate('  , Bearer   realm = "r" ,, service=s ,  ');
    expect(challenges).toHaveLength(1);
    expect(plain(challenges[0]?.params ?? {})).toEqual({ realm: 'r', service: 's' });
    expect(plain(parseWwwAuthenticate('Basic, realm="x"')[0]?.params ?? {})).toEqual({ realm: 'x' });
  });

  it('accepts several header lines', () => {
    const challenges = parseWwwAuthenticate(['Basic realm="a"', 'Bearer realm="b"']);
    expect(challenges.map((c) => c.params.realm)).toEqual(['a', 'b']);
    expect(parseWwwAuthenticate('')).toEqual([]);
  });

  it('keeps prototype keys as plain data', () => {
    const [c] = parseWwwAuthenticate('Bearer __proto__="x", constructor=y');
    expect(Object.getPrototypeOf(c?.params)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(c?.params, '__proto__')?.value).toBe('x');
    expect(c?.params.constructor).toBe('y');
    expect(c?.params.toString).toBeUndefined();
  });

  it.each([
    ['Bearer realm="unterminated', 'unterminated quoted string'],
    ['Bearer realm="a\u0001b"', 'control character'],
    ['Bearer realm="a" service="b"', 'expected ","'],
    ['Bearer realm="a", realm="b"', 'duplicate parameter "realm"'],
    ['Bearer"x"', 'expected a space'],
    ['=realm', 'expected an auth-scheme'],
    ['Negotiate abc== def', 'after token68'],
    ['Bearer realm="x\\', 'unterminated'],
  ])('rejects %j with ERR_UNAUTHORIZED naming the host', (header, reason) => {
    let caught: unknown;
    try {
      parseWwwAuthenticate(header, 'registry.example:5000');
    } catch (error) {
      caught = error;
    }
    expect(isImageError(caught, 'ERR_UNAUTHORIZED')).toBe(true);
    expect((caught as Error).message).toContain('malformed WWW-Authenticate header from registry.example:5000');
    expect((caught as Error).message).toContain(reason);
  });

  const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
  // quoted-string content: HTAB, SP, VCHAR and obs-text, including '"' and '\' that need escaping
  const quotedChar = fc.oneof(
    fc.constantFrom('\t', ' ', '"', '\\', ',', '=', '\u00e9'),
    fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  );
  const value = fc.array(quotedChar, { maxLength: 20 }).map((cs) => cs.join(''));
  const params = fc.uniqueArray(fc.tuple(token, value), {
    selector: ([k]) => k.toLowerCase(),
    minLength: 1,
    maxLength: 5,
  });
  const ows = fc.constantFrom('', ' ', '\t', '  ');

  it('round-trips generated challenges', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(token, params), { minLength: 1, maxLength: 3 }), ows, (challenges, space) => {
        const header = challenges
          .map(([scheme, ps]) => {
            const list = ps.map(([k, v]) => {
              const quote = v === '' || /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(v);
              return `${k}${space}=${space}${quote ? `"${v.replace(/["\\]/g, '\\$&')}"` : v}`;
            });
            return `${scheme} ${list.join(`${space},${space}`)}`;
          })
          .join(`${space},`);
        const parsed = parseWwwAuthenticate(header);
        expect(parsed.map((c) => c.scheme)).toEqual(challenges.map(([scheme]) => scheme.toLowerCase()));
        parsed.forEach((c, i) => {
          const expected = Object.fromEntries((challenges[i]?.[1] ?? []).map(([k, v]) => [k.toLowerCase(), v]));
          expect(plain(c.params)).toEqual(expected);
        });
      }),
    );
  });

  it('never throws anything but ERR_UNAUTHORIZED on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom(' ', '\t', ',', '=', '"', '\\', 'a', 'B', '/', '\u0001', '\u00e9', '\u20ac'), {
            maxLength: 40,
          })
          .map((cs) => cs.join('')),
        (header) => {
          try {
            parseWwwAuthenticate(header);
          } catch (error) {
            expect(isImageError(error, 'ERR_UNAUTHORIZED')).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
