import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explicitPath } from './explicit-path.ts';

const work = realpathSync(mkdtempSync(join(tmpdir(), 'ferry-explicit-path-')));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('explicitPath', () => {
  it('resolves symlinks of the existing part and keeps the missing rest', () => {
    mkdirSync(join(work, 'real/images'), { recursive: true });
    symlinkSync(join(work, 'real'), join(work, 'link'));
    expect(explicitPath(join(work, 'link/images'))).toBe(join(work, 'real/images'));
    expect(explicitPath(join(work, 'link/images/new/deeper'))).toBe(join(work, 'real/images/new/deeper'));
    expect(explicitPath(join(work, 'link/../real/./images'))).toBe(join(work, 'real/images'));
  });

  it('returns absolute paths for relative input', () => {
    expect(explicitPath('.')).toBe(realpathSync(process.cwd()));
    expect(explicitPath('/')).toBe('/');
  });
});
