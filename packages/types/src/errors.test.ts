import { describe, expect, it } from 'vitest';
import { ImageError, isImageError } from './index.ts';

describe('ImageError', () => {
  it('carries code, message and cause', () => {
    const cause = new Error('disk full');
    const e = new ImageError('ERR_IO', 'cannot write blob', { cause });
    expect(e.code).toBe('ERR_IO');
    expect(e.message).toBe('cannot write blob');
    expect(e.cause).toBe(cause);
    expect(e.name).toBe('ImageError');
    expect(e).toBeInstanceOf(Error);
  });

  it('has no cause property when none is given', () => {
    expect('cause' in new ImageError('ERR_IO', 'x')).toBe(false);
  });

  it('isImageError checks the brand and the code', () => {
    const e = new ImageError('ERR_BLOB_UNKNOWN', 'x');
    expect(isImageError(e)).toBe(true);
    expect(isImageError(e, 'ERR_BLOB_UNKNOWN')).toBe(true);
    expect(isImageError(e, 'ERR_IO')).toBe(false);
    expect(isImageError(new Error('x'))).toBe(false);
    expect(isImageError({ code: 'ERR_IO' }, 'ERR_IO')).toBe(false);
    expect(isImageError(null)).toBe(false);
    expect(isImageError('ERR_IO')).toBe(false);
  });

  it('recognises errors across two loaded copies of the module', async () => {
    // the same source loaded twice under different URLs is two module instances with two distinct classes
    type ErrorsModule = typeof import('./errors.ts');
    const load = (copy: number): Promise<ErrorsModule> => import(/* @vite-ignore */ `./errors.ts?copy=${copy}`);
    const first = await load(1);
    const second = await load(2);
    expect(first.ImageError).not.toBe(second.ImageError);
    const fromSecond = new second.ImageError('ERR_CLOBBER', 'x');
    expect(fromSecond instanceof first.ImageError).toBe(false);
    expect(first.isImageError(fromSecond, 'ERR_CLOBBER')).toBe(true);
    expect(second.isImageError(new first.ImageError('ERR_IO', 'y'), 'ERR_IO')).toBe(true);
  });

  it('recognises an error made by another copy of the package (same Symbol.for brand)', () => {
    // a second copy of the class defines its own class but brands with the same registered symbol
    class OtherCopyError extends Error {
      readonly code = 'ERR_DENIED';
      constructor() {
        super('denied');
        Object.defineProperty(this, Symbol.for('ferry.ImageError'), { value: true });
      }
    }
    const foreign = new OtherCopyError();
    expect(foreign).not.toBeInstanceOf(ImageError);
    expect(isImageError(foreign, 'ERR_DENIED')).toBe(true);
    expect(isImageError(foreign, 'ERR_IO')).toBe(false);
  });
});
