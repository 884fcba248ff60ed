import { describe, expect, it } from 'vitest';
import { digestAlgorithm, digestHex, isDigest, isImageError, parseDigest } from './index.ts';

const HEX64 = 'a'.repeat(64);
const HEX128 = '0123456789abcdef'.repeat(8);

describe('parseDigest', () => {
  it('accepts sha256 and sha512 digests and exposes their parts', () => {
    const d = parseDigest(`sha256:${HEX64}`);
    expect(d).toBe(`sha256:${HEX64}`);
    expect(digestAlgorithm(d)).toBe('sha256');
    expect(digestHex(d)).toBe(HEX64);
    const e = parseDigest(`sha512:${HEX128}`);
    expect(digestAlgorithm(e)).toBe('sha512');
    expect(digestHex(e)).toHaveLength(128);
  });

  it.each([
    ['', 'not algorithm:hex'],
    ['sha256', 'not algorithm:hex'],
    [`sha256:${HEX64.slice(1)}`, 'needs 64 lowercase hex digits'],
    [`sha256:${HEX64}0`, 'needs 64 lowercase hex digits'],
    [`sha256:${'A'.repeat(64)}`, 'needs 64 lowercase hex digits'],
    [`sha256:${'g'.repeat(64)}`, 'needs 64 lowercase hex digits'],
    [`sha512:${HEX64}`, 'needs 128 lowercase hex digits'],
    [`md5:${'a'.repeat(32)}`, 'unsupported algorithm "md5"'],
    [`sha384:${'a'.repeat(96)}`, 'unsupported algorithm "sha384"'],
    [`SHA256:${HEX64}`, 'not algorithm:hex'],
    [`sha256:${HEX64}\n`, 'not algorithm:hex'],
    [` sha256:${HEX64}`, 'not algorithm:hex'],
  ])('refuses %j with ERR_INVALID_DIGEST (%s)', (text, why) => {
    let caught: unknown;
    try {
      parseDigest(text);
    } catch (e) {
      caught = e;
    }
    expect(isImageError(caught, 'ERR_INVALID_DIGEST')).toBe(true);
    expect((caught as Error).message).toContain(why);
  });

  it('clips very long input in its message', () => {
    try {
      parseDigest(`x:${'a'.repeat(10_000)}`);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(400);
    }
  });

  it('isDigest never throws', () => {
    expect(isDigest(`sha256:${HEX64}`)).toBe(true);
    expect(isDigest('sha256:zz')).toBe(false);
    expect(isDigest(42)).toBe(false);
    expect(isDigest(undefined)).toBe(false);
  });
});
