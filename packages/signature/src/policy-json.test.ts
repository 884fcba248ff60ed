import { describe, expect, it } from 'vitest';
import { formatPath, readStrictJson } from './policy-json.ts';

describe('readStrictJson', () => {
  it('reads every JSON value kind, objects as Maps in document order', () => {
    const value = readStrictJson(' {"b": [1, -2.5e3, true, false, null], "a": "x\\u00e9\\n", "__proto__": {}} ');
    expect(value).toEqual(
      new Map<string, unknown>([
        ['b', [1, -2500, true, false, null]],
        ['a', 'xé\n'],
        ['__proto__', new Map()],
      ]),
    );
  });

  it.each([
    ['{"a":1,"a":2}', 'policy: a: duplicate key'],
    ['{"t":{"d":{"x.io":[],"x.io":[]}}}', 'policy: t.d["x.io"]: duplicate key'],
    ['[{"k":1},{"k":1,"k":2}]', 'policy: [1].k: duplicate key'],
    ['{"a":1,}', 'line 1, column 8: expected a string key'],
    ['{\n  "a": tru\n}', 'line 2, column 8: unexpected character "t"'],
    ['{"a": "\\x"}', 'invalid string escape'],
    ['{"a": "line\nbreak"}', 'control character in string'],
    ['{"a": 01}', "expected ',' or '}'"],
    ['"x" "y"', 'unexpected data after the top-level value'],
    ['', 'unexpected end of input'],
    [`${'['.repeat(100)}${']'.repeat(100)}`, 'nested deeper than 64 levels'],
  ])('refuses %j', (text, message) => {
    expect(() => readStrictJson(text)).toThrow(message);
  });
});

describe('formatPath', () => {
  it('uses dots for plain keys, brackets for indexes and other keys', () => {
    expect(formatPath(['transports', 'docker-daemon', '', 0, 'signedIdentity'])).toBe(
      'transports.docker-daemon[""][0].signedIdentity',
    );
    expect(formatPath([])).toBe('');
  });
});
