import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { indexTarFile } from './index.ts';
import { craftTar, writeTar } from './test-support/craft.ts';
import { bytesOf, gnuTar, tempDir, writeSampleTree } from './test-support/fixtures.ts';

const invalid = (e: unknown): boolean => isImageError(e, 'ERR_INVALID_IMAGE');
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('indexTarFile on bad input', () => {
  it('refuses an archive cut short at any of many offsets', async () => {
    await using dir = await tempDir();
    const root = join(dir.path, 'root');
    await writeSampleTree(root, false);
    const full = join(dir.path, 'full.tar');
    await gnuTar(root, full, 'posix');
    const bytes = await readFile(full);
    let end: number;
    {
      await using archive = await indexTarFile(full);
      const last = archive.entries.at(-1);
      end = (last?.dataOffset ?? 0) + Math.ceil((last?.size ?? 0) / 512) * 512;
    }
    const cuts = [0, 1, 100, 511, 512, 513, 1024, 1536, 4000, end - 1, end];
    for (let at = 0; at < end; at += Math.ceil(end / 40)) cuts.push(at);
    const cut = join(dir.path, 'cut.tar');
    for (const at of cuts) {
      await writeFile(cut, bytes.subarray(0, at));
      await expect(indexTarFile(cut), `cut at ${at}`).rejects.toSatisfy(invalid);
    }
    // a single zero block is a tolerated end, as in GNU tar
    await writeFile(cut, bytes.subarray(0, end + 512));
    await using tolerated = await indexTarFile(cut);
    expect(tolerated.entries.length).toBeGreaterThan(5);
  });

  it('refuses a header whose checksum does not match, naming the offset', async () => {
    await using dir = await tempDir();
    const bytes = craftTar([
      { name: 'a', data: text('hello') },
      { name: 'b', data: text('world') },
    ]);
    for (const at of [0, 50, 148, 1024 + 3, 1024 + 124]) {
      const copy = Uint8Array.from(bytes);
      copy[at] = (copy[at] ?? 0) ^ 0x01;
      const path = join(dir.path, `flip-${at}.tar`);
      await writeFile(path, copy);
      await expect(indexTarFile(path)).rejects.toSatisfy(
        (e) => invalid(e) && (e as Error).message.includes(`offset ${at < 1024 ? 0 : 1024}`),
      );
    }
  });

  it('refuses a member whose size runs past the end, naming it', async () => {
    await using dir = await tempDir();
    const path = await writeTar(join(dir.path, 'x.tar'), [{ name: 'layer.tar', size: 1e9 }]);
    await expect(indexTarFile(path)).rejects.toSatisfy((e) => invalid(e) && (e as Error).message.includes('layer.tar'));
  });

  it.each([
    ['../evil', {}],
    ['a/../../evil', {}],
    ['/etc/passwd', {}],
    ['ok', { path: '../../evil' }],
    ['ok', { path: '/abs' }],
  ])('refuses the unsafe member name %s %o', async (name, pax) => {
    await using dir = await tempDir();
    const path = await writeTar(join(dir.path, 'x.tar'), [{ name, pax, data: text('x') }]);
    await expect(indexTarFile(path)).rejects.toSatisfy(invalid);
  });

  it('refuses garbage, a malformed pax record and a non-octal size field', async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, 'garbage.tar'), bytesOf(8192, 9));
    await expect(indexTarFile(join(dir.path, 'garbage.tar'))).rejects.toSatisfy(invalid);
    const pax = craftTar([{ name: 'a', pax: { path: 'b' }, data: text('x') }]);
    pax.set(text('99 path=b\n'), 512); // the record claims more bytes than the pax header holds
    await writeFile(join(dir.path, 'pax.tar'), pax);
    await expect(indexTarFile(join(dir.path, 'pax.tar'))).rejects.toSatisfy(invalid);
    const octal = craftTar([{ name: 'a', data: text('x') }]);
    octal.set(text('0000000009'), 124);
    await writeFile(join(dir.path, 'octal.tar'), octal);
    await expect(indexTarFile(join(dir.path, 'octal.tar'))).rejects.toSatisfy(invalid);
  });

  it('stops indexing an escaping archive without touching the file system outside', async () => {
    await using dir = await tempDir();
    const path = await writeTar(join(dir.path, 'x.tar'), [
      { name: 'a', data: text('x') },
      { name: '../b', data: text('y') },
    ]);
    await expect(indexTarFile(path)).rejects.toSatisfy(
      (e) => invalid(e) && (e as Error).message.includes('offset 1024'),
    );
  });
});

describe('TarArchive.resolve links', () => {
  it('follows legacy ../ layer symlinks and hard links inside the archive', async () => {
    await using dir = await tempDir();
    const path = await writeTar(join(dir.path, 'x.tar'), [
      { name: 'ID2/layer.tar', data: text('layer') },
      { name: 'ID/layer.tar', typeflag: '2', linkName: '../ID2/layer.tar' },
      { name: 'dirlink', typeflag: '2', linkName: 'ID2' },
      { name: 'hard', typeflag: '1', linkName: './ID/layer.tar' },
    ]);
    await using archive = await indexTarFile(path);
    expect(archive.resolve('ID/layer.tar')?.name).toBe('ID2/layer.tar');
    expect(archive.resolve('dirlink/layer.tar')?.name).toBe('ID2/layer.tar');
    expect(archive.resolve('hard')?.name).toBe('ID2/layer.tar');
    expect(new TextDecoder().decode(await archive.readMember('hard', 100))).toBe('layer');
  });

  it.each([
    ['escaping symlink', [{ name: 'a', typeflag: '2', linkName: '../../etc/passwd' }]],
    ['absolute symlink', [{ name: 'a', typeflag: '2', linkName: '/etc/passwd' }]],
    ['escaping hard link', [{ name: 'a', typeflag: '1', linkName: '../x' }]],
    ['self loop', [{ name: 'a', typeflag: '2', linkName: 'a' }]],
    [
      'two-link loop',
      [
        { name: 'a', typeflag: '2', linkName: 'd/b' },
        { name: 'd/b', typeflag: '2', linkName: '../a' },
      ],
    ],
  ])('refuses a %s with ERR_INVALID_IMAGE', async (_what, members) => {
    await using dir = await tempDir();
    await using archive = await indexTarFile(await writeTar(join(dir.path, 'x.tar'), members));
    expect(() => archive.resolve('a')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_IMAGE' }));
    expect(() => archive.openMember('a')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_IMAGE' }));
  });
});
