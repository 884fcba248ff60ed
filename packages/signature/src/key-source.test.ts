import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isImageError } from '@ferry/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKeySource } from './key-source.ts';

describe('readKeySource', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-keys-'));
    await writeFile(join(dir, 'a.pub'), 'key A');
    await writeFile(join(dir, 'b.pub'), 'key B');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const text = (items: Uint8Array[]) => items.map((item) => new TextDecoder().decode(item));

  it('returns inline data as it is', async () => {
    const data = new Uint8Array([1, 2, 3]);
    expect(await readKeySource({ kind: 'data', data })).toEqual([data]);
    expect(await readKeySource({ kind: 'datas', datas: [data, new Uint8Array([4])] })).toEqual([
      data,
      new Uint8Array([4]),
    ]);
  });

  it('reads one file, or several in order', async () => {
    expect(text(await readKeySource({ kind: 'path', path: join(dir, 'a.pub') }))).toEqual(['key A']);
    const paths = [join(dir, 'b.pub'), join(dir, 'a.pub')];
    expect(text(await readKeySource({ kind: 'paths', paths }))).toEqual(['key B', 'key A']);
  });

  it('names a missing file in an ERR_IO error', async () => {
    const missing = join(dir, 'missing.pub');
    const error = await readKeySource({ kind: 'paths', paths: [join(dir, 'a.pub'), missing] }).catch((e) => e);
    expect(isImageError(error, 'ERR_IO')).toBe(true);
    expect(error.message).toBe(`cannot read key file ${missing}: ENOENT`);
  });

  it('rejects with the abort reason itself', async () => {
    const reason = new Error('stop');
    const signal = AbortSignal.abort(reason);
    await expect(readKeySource({ kind: 'path', path: join(dir, 'a.pub') }, { signal })).rejects.toBe(reason);
  });
});
