import { isImageError } from '@ferry/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { familiarString, parseNormalizedNamed, parseReference, withDefaultTag } from './index.ts';

const chars = (alphabet: string) => fc.constantFrom(...alphabet.split(''));
const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HOST = `${LOWER}ABCDEFGHIJKLMNOPQRSTUVWXYZ`;
const WORD = `${HOST}_`;
const HEX = '0123456789abcdef';

const alphanumeric = fc.string({ unit: chars(LOWER), minLength: 1, maxLength: 6 });
const separator = fc.constantFrom('.', '_', '__', '-', '--', '---');
const pathComponent = fc
  .tuple(alphanumeric, fc.array(fc.tuple(separator, alphanumeric), { maxLength: 2 }))
  .map(([head, rest]) => head + rest.map(([sep, alnum]) => sep + alnum).join(''));
const path = fc.array(pathComponent, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));

const hostLabel = fc
  .tuple(chars(HOST), fc.option(fc.tuple(fc.string({ unit: chars(`${HOST}-`), maxLength: 6 }), chars(HOST))))
  .map(([first, rest]) => (rest === null ? first : first + rest[0] + rest[1]));
const domainName = fc.array(hostLabel, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.'));
const ipv6 = fc.string({ unit: chars(`${HEX}ABCDEF:`), minLength: 1, maxLength: 20 }).map((inner) => `[${inner}]`);
const port = fc.option(
  fc.integer({ min: 0, max: 65535 }).map((n) => `:${n}`),
  { nil: '' },
);
const domain = fc.tuple(fc.oneof(domainName, ipv6), port).map(([host, p]) => host + p);

const tag = fc
  .tuple(chars(WORD), fc.string({ unit: chars(`${WORD}.-`), maxLength: 127 }))
  .map(([first, rest]) => first + rest);
const digest = fc.oneof(
  fc.string({ unit: chars(HEX), minLength: 64, maxLength: 64 }).map((hex) => `sha256:${hex}`),
  fc.string({ unit: chars(HEX), minLength: 128, maxLength: 128 }).map((hex) => `sha512:${hex}`),
);

interface Parts {
  readonly domain: string;
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
  readonly text: string;
}

/** References the grammar accepts, with the parts they were built from; names stay within 255 characters. */
const validReference: fc.Arbitrary<Parts> = fc
  .record({
    domain: fc.option(domain, { nil: '' }),
    path,
    tag: fc.option(tag, { nil: undefined }),
    digest: fc.option(digest, { nil: undefined }),
  })
  .filter((p) => p.domain.length + p.path.length < 255)
  .map((p) => {
    let text = p.domain === '' ? p.path : `${p.domain}/${p.path}`;
    if (p.tag !== undefined) text += `:${p.tag}`;
    if (p.digest !== undefined) text += `@${p.digest}`;
    return { ...p, text };
  });

/** Strings near the grammar: valid references with a few characters changed, plus arbitrary text. */
const noisyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: chars(`${WORD}.-:/@[]`), maxLength: 40 }),
  fc.tuple(validReference, fc.nat(), fc.string({ maxLength: 3 }), fc.nat({ max: 3 })).map(([ref, at, insert, drop]) => {
    const i = at % (ref.text.length + 1);
    return ref.text.slice(0, i) + insert + ref.text.slice(i + drop);
  }),
);

function onlyReferenceErrors(parse: (text: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (error) {
    if (!isImageError(error, 'ERR_INVALID_REFERENCE')) throw error;
  }
}

describe('reference properties', () => {
  it('valid references parse strictly, keep their parts and round-trip through toString', () => {
    fc.assert(
      fc.property(validReference, (p) => {
        const ref = parseReference(p.text);
        expect(ref.toString()).toBe(p.text);
        expect(ref.tag).toBe(p.tag);
        expect(ref.digest).toBe(p.digest);
        // without a domain, a first path component such as `a.b` is read as one, so only check parts with one
        if (p.domain !== '') expect([ref.domain, ref.path]).toEqual([p.domain, p.path]);
        expect(parseReference(ref.toString()).toString()).toBe(p.text);
      }),
    );
  });

  it('normalized references round-trip through toString and parse as themselves', () => {
    fc.assert(
      fc.property(validReference, (p) => {
        let ref: ReturnType<typeof parseNormalizedNamed>;
        try {
          ref = parseNormalizedNamed(p.text);
        } catch (error) {
          // expansion to docker.io/library/… can push a name past 255 characters, or it may be an image ID
          expect(isImageError(error, 'ERR_INVALID_REFERENCE')).toBe(true);
          return;
        }
        expect(parseNormalizedNamed(ref.toString()).toString()).toBe(ref.toString());
        expect(withDefaultTag(ref).toString()).toBe(
          ref.tag === undefined && ref.digest === undefined ? `${ref}:latest` : `${ref}`,
        );
      }),
    );
  });

  it('familiar → normalized → familiar is stable', () => {
    fc.assert(
      fc.property(validReference, (p) => {
        let familiar: string;
        try {
          familiar = familiarString(parseNormalizedNamed(p.text));
        } catch {
          return;
        }
        const again = parseNormalizedNamed(familiar);
        expect(familiarString(again)).toBe(familiar);
      }),
    );
  });

  it('arbitrary strings throw nothing but ERR_INVALID_REFERENCE', () => {
    fc.assert(
      fc.property(noisyText, (text) => {
        onlyReferenceErrors(parseReference, text);
        onlyReferenceErrors(parseNormalizedNamed, text);
      }),
      { numRuns: 2000 },
    );
  });

  it('whatever parses strictly prints back as the input', () => {
    fc.assert(
      fc.property(noisyText, (text) => {
        try {
          expect(parseReference(text).toString()).toBe(text);
        } catch (error) {
          expect(isImageError(error, 'ERR_INVALID_REFERENCE')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
