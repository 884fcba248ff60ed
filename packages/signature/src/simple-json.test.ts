import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStrictJson } from './simple-json.ts';

describe('parseStrictJson', () => {
  it('parses what JSON.parse parses, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(JSON.stringify(parseStrictJson(text))).toBe(JSON.stringify(JSON.parse(text)));
      }),
    );
  });

  it('parses escapes, whitespace and numbers like JSON.parse', () => {
    const text = ' {"a\\u0041\\n\\"" : [1, -0.5e2, 1E3, true, false, null, "\\ud83d\\ude00"] }\n';
    expect(JSON.stringify(parseStrictJson(text))).toBe(JSON.stringify(JSON.parse(text)));
  });

  it('refuses duplicate keys at any depth', () => {
    expect(() => parseStrictJson('{"a":1,"a":1}')).toThrow(/duplicate key "a"/);
    expect(() => parseStrictJson('[{"b":{"c":1,"c":2}}]')).toThrow(/duplicate key "c"/);
  });

  it('keeps __proto__ as a plain key', () => {
    const value = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['', /expected a JSON value/],
    ['{"a":1,}', /expected a string key/],
    ['[1,]', /expected a JSON value/],
    ['"a\u0001"', /invalid string/],
    ['"\\x"', /invalid string/],
    ['01', /unexpected data/],
    ['{"a" 1}', /expected ":"/],
    ['nul', /expected a JSON value/],
    ['[1] [2]', /unexpected data/],
    ['\ufeff{}', /expected a JSON value/],
    [`${'['.repeat(200)}${']'.repeat(200)}`, /nested too deeply/],
  ])('refuses %j', (text, message) => {
    expect(() => parseStrictJson(text)).toThrow(message);
  });
});
