import { describe, expect, it } from 'vitest';
import { formatPath, readPolicyJson } from './policy-json.ts';

describe('readPolicyJson', () => {
  it('reads a policy document, objects as Maps', () => {
    expect(readPolicyJson('{"default":[{"type":"reject"}]}')).toEqual(
      new Map([['default', [new Map([['type', 'reject']])]]]),
    );
  });

  it.each([
    ['{"a":1,"a":2}', 'policy: a: duplicate key'],
    ['{"t":{"d":{"x.io":[],"x.io":[]}}}', 'policy: t.d["x.io"]: duplicate key'],
    ['[{"k":1},{"k":1,"k":2}]', 'policy: [1].k: duplicate key'],
    ['{"a":1,}', 'policy: invalid JSON at line 1, column 8: expected a string key'],
    ['\ufeff{}', 'policy: invalid JSON at line 1, column 1: unexpected character "\ufeff"'],
  ])('refuses %j with ERR_INVALID_POLICY', (text, message) => {
    expect(() => readPolicyJson(text)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_POLICY', message }));
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
