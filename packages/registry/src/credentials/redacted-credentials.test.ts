import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { identityTokenCredentials, isIdentityToken, passwordCredentials } from './index.ts';

const SECRET = 'hunter2-secret';

function renderings(value: object): string[] {
  return [
    JSON.stringify(value),
    JSON.stringify({ nested: { value } }),
    String(value),
    `${value}`,
    inspect(value),
    inspect(value, { showHidden: true, depth: 10 }),
    inspect({ deep: [value] }, { depth: Number.POSITIVE_INFINITY }),
    format('%o %O %s %j', value, value, value, value),
    JSON.stringify({ ...value }),
    JSON.stringify(Object.entries(value)),
    JSON.stringify(structuredClone(value)),
  ];
}

describe('redacted credentials', () => {
  it('keep the password out of every usual rendering while it stays readable', () => {
    const creds = passwordCredentials('alice', SECRET);
    expect(creds.password).toBe(SECRET);
    expect(creds.username).toBe('alice');
    for (const text of renderings(creds)) expect(text).not.toContain(SECRET);
    expect(JSON.stringify(creds)).toBe('{"username":"alice","password":"[redacted]"}');
    expect(inspect(creds)).toContain('alice');
    expect(isIdentityToken(creds)).toBe(false);
  });

  it('keep an identity token out of every usual rendering', () => {
    const creds = identityTokenCredentials(SECRET);
    expect(creds.identityToken).toBe(SECRET);
    for (const text of renderings(creds)) expect(text).not.toContain(SECRET);
    expect(JSON.stringify(creds)).toBe('{"identityToken":"[redacted]"}');
    expect(isIdentityToken(creds)).toBe(true);
  });

  it('cannot be altered', () => {
    const creds = passwordCredentials('alice', SECRET);
    expect(() => {
      (creds as { username: string }).username = 'mallory';
    }).toThrow(TypeError);
    expect(() => {
      (creds as { password: string }).password = 'x';
    }).toThrow(TypeError);
  });

  it('recognise plain objects too', () => {
    expect(isIdentityToken({ identityToken: 't' })).toBe(true);
    expect(isIdentityToken({ username: 'u', password: 'p' })).toBe(false);
  });
});
