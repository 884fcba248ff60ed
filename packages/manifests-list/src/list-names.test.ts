import { describe, expect, it } from 'vitest';
import { checkListName, isListFileName, listFileName } from './list-names.ts';

describe('checkListName', () => {
  it('accepts any non-empty name up to 255 characters without NUL', () => {
    for (const name of ['a', 'localhost/app:v1', '..', '.', '/', 'é😀', 'x'.repeat(255), '😀'.repeat(255)]) {
      expect(() => checkListName(name)).not.toThrow();
    }
  });

  it('refuses empty, NUL, over-long and lone-surrogate names with ERR_INVALID_ARGUMENT', () => {
    for (const name of ['', 'a\0b', 'x'.repeat(256), 'a\uD800']) {
      expect(() => checkListName(name)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });
});

describe('listFileName', () => {
  it('keeps a readable prefix, encodes everything else, and ends in a hash and .json', () => {
    expect(listFileName('my-list_1')).toMatch(/^my-list_1\.[0-9a-f]{32}\.json$/);
    expect(listFileName('localhost/app:v1')).toMatch(/^localhost%2Fapp%3Av1\.[0-9a-f]{32}\.json$/);
    expect(listFileName('a.b')).toMatch(/^a%2Eb\./);
    expect(listFileName('é')).toMatch(/^%C3%A9\./);
  });

  it('never yields a path component that escapes or a hidden or special name', () => {
    for (const name of ['..', '.', '/', '../x', '/etc/passwd', '.hidden', 'a/../../b', '\\..\\x', '%2E%2E']) {
      const file = listFileName(name);
      expect(file).not.toContain('/');
      expect(file).not.toContain('\\');
      expect(file.startsWith('.')).toBe(false);
      expect(isListFileName(file)).toBe(true);
    }
  });

  it('gives distinct names distinct files, even when they encode alike or share a long prefix', () => {
    const names = ['..', '%2E%2E', '.', '%2E', 'A', 'a', 'a/b', 'a%2Fb', `${'x'.repeat(100)}1`, `${'x'.repeat(100)}2`];
    const files = names.map(listFileName);
    expect(new Set(files).size).toBe(names.length);
  });

  it('bounds the file name length for the longest names', () => {
    expect(listFileName('😀'.repeat(255)).length).toBeLessThanOrEqual(64 + 1 + 32 + 5);
    expect(listFileName('😀'.repeat(255))).toMatch(/^(%F0%9F%98%80){5}\./);
  });

  it('isListFileName refuses lock, temp and foreign files', () => {
    const file = listFileName('x');
    for (const other of [`${file}.lock`, `.${file}.abc.tmp`, 'README', 'x.json', `../${file}`]) {
      expect(isListFileName(other)).toBe(false);
    }
  });
});
