import { ImageError } from '@ferry/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type JsonValue, parseStrictJson, type StrictJsonFault } from './strict-json.ts';

const faults: StrictJsonFault[] = [];
const parse = (text: string): JsonValue =>
  parseStrictJson(text, (fault) => {
    faults.push(fault);
    return new ImageError('ERR_SIGNATURE_INVALID', fault.message);
  });
const lastFault = (text: string): StrictJsonFault => {
  expect(() => parse(text)).toThrow(expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID' }));
  return faults[faults.length - 1] as StrictJsonFault;
};
// JSON.stringify of what parseStrictJson returns, objects written as objects
const plain = (value: JsonValue): unknown =>
  value instanceof Map
    ? Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]))
    : Array.isArray(value)
      ? value.map(plain)
      : value;

describe('parseStrictJson', () => {
  it('parses what JSON.parse parses, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(JSON.stringify(plain(parse(text)))).toBe(JSON.stringify(JSON.parse(text)));
      }),
    );
  });

  it('reads every JSON value kind, objects as Maps in document order', () => {
    const value = parse(' {"b": [1, -2.5e3, 1E3, true, false, null], "a": "x\\u00e9\\n\\ud83d\\ude00", "10": {}} \n');
    expect(value).toEqual(
      new Map<string, unknown>([
        ['b', [1, -2500, 1000, true, false, null]],
        ['a', 'xé\n😀'],
        ['10', new Map()],
      ]),
    );
    expect([...(value as Map<string, unknown>).keys()]).toEqual(['b', 'a', '10']);
  });

  it('keeps __proto__ as a plain key', () => {
    const value = parse('{"__proto__":{"polluted":true}}') as Map<string, unknown>;
    expect([...value.keys()]).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['{"a":1,"a":2}', ['a'], 'duplicate key "a" at line 1, column 11'],
    ['{"t":{"d":{"x.io":[],"x.io":[]}}}', ['t', 'd', 'x.io'], 'duplicate key "x.io"'],
    ['[{"k":1},{"k":1,"k":2}]', [1, 'k'], 'duplicate key "k"'],
    ['[{"b":{"c":1,"c":2}}]', [0, 'b', 'c'], 'duplicate key "c"'],
  ])('refuses the duplicate key in %j, naming its path', (text, path, message) => {
    expect(lastFault(text)).toEqual({ kind: 'duplicate-key', path, message: expect.stringContaining(message) });
  });

  it.each([
    ['', 'line 1, column 1: unexpected end of input'],
    ['{"a":1,}', 'line 1, column 8: expected a string key'],
    ['[1,]', 'unexpected character "]"'],
    ['{\n  "a": tru\n}', 'line 2, column 8: unexpected character "t"'],
    ['{"a": "\\x"}', 'line 1, column 7: invalid string escape'],
    ['"\\u12"', 'invalid string escape'],
    ['"a\u0001"', 'control character in string'],
    ['{"a": "line\nbreak"}', 'control character in string'],
    ['"abc', 'unterminated string'],
    ['{"a" 1}', "expected ':'"],
    ['{"a": 01}', "expected ',' or '}'"],
    ['[1 2]', "expected ',' or ']'"],
    ['01', 'unexpected data after the top-level value'],
    ['"x" "y"', 'unexpected data after the top-level value'],
    ['nul', 'unexpected character "n"'],
    ['-', 'unexpected character "-"'],
    ['\ufeff{}', 'unexpected character "\ufeff"'],
    [`${'['.repeat(101)}${']'.repeat(101)}`, 'nested deeper than 100 levels'],
  ])('refuses %j as a syntax error', (text, message) => {
    const fault = lastFault(text);
    expect(fault.kind).toBe('syntax');
    expect(fault.message).toMatch(/^invalid JSON at line \d+, column \d+: /);
    expect(fault.message).toContain(message);
  });

  it('accepts nesting up to 100 levels', () => {
    expect(parse(`${'['.repeat(100)}1${']'.repeat(100)}`)).toBeInstanceOf(Array);
    expect(parse(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`)).toBeInstanceOf(Map);
  });

  it('names the path of the value where a syntax error was found', () => {
    expect(lastFault('{"a":[1,{"b":x}]}').path).toEqual(['a', 1, 'b']);
  });
});
