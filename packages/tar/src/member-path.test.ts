import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeMemberPath } from './index.ts';
import { encodePaxRecords, parsePaxRecords } from './pax.ts';

describe('safeMemberPath', () => {
  it.each([
    ['./a//b/', 'a/b'],
    ['a/../b', 'b'],
    ['./', '.'],
    ['a/./b/.', 'a/b'],
    ['.a/..b/...', '.a/..b/...'],
    ['sha256:abc/layer.tar', 'sha256:abc/layer.tar'],
  ])('normalizes %j to %j', (name, expected) => {
    expect(safeMemberPath(name)).toBe(expected);
  });

  it.each(['', '/etc/passwd', '../x', 'a/../../x', 'a\0b', '..'])('refuses %j with ERR_INVALID_IMAGE', (name) => {
    expect(() => safeMemberPath(name)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_IMAGE' }));
  });

  it('never returns a name with an empty, `.` or `..` component', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '.', '..', '', 'c.d'), { maxLength: 8 }), (parts) => {
        let normalized: string;
        try {
          normalized = safeMemberPath(parts.join('/'));
        } catch {
          return;
        }
        if (normalized === '.') return;
        expect(normalized.split('/').every((p) => p !== '' && p !== '.' && p !== '..')).toBe(true);
      }),
    );
  });
});

describe('pax records', () => {
  it('round-trip any keys and values, lengths included (9/10 and 99/100 byte records)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-zA-Z.]{1,12}$/), fc.string({ maxLength: 300 })), (records) => {
        const map = new Map(Object.entries(records));
        expect(parsePaxRecords(encodePaxRecords(map), 'test')).toEqual(map);
      }),
    );
    // " k=" + n + "\n": a 97-byte body takes a 2-digit length (99); a 98-byte one carries over to 3 digits (101)
    const lengthOf = (n: number): string =>
      new TextDecoder().decode(encodePaxRecords(new Map([['k', 'x'.repeat(n)]]))).split(' ')[0] ?? '';
    expect([lengthOf(93), lengthOf(94)]).toEqual(['99', '101']);
  });
});
