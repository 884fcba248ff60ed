import { join } from 'node:path';
import { readLimited } from '@ferry/blob';
import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { indexTarFile } from './index.ts';
import {
  bytesOf,
  gnuTar,
  LONG_FILE,
  sameBytes,
  sampleFiles,
  tempDir,
  writeSampleTree,
} from './test-support/fixtures.ts';

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  return readLimited(stream, 64 * 1024 * 1024);
}

describe.each([
  ['gnu', true],
  ['oldgnu', true],
  ['posix', true],
  ['ustar', false],
])('indexTarFile on GNU tar --format=%s', (format, veryLong) => {
  it('lists every member and reads each file back byte-exact', async () => {
    await using dir = await tempDir();
    const root = join(dir.path, 'root');
    await writeSampleTree(root, veryLong);
    const tarPath = join(dir.path, 'x.tar');
    await gnuTar(root, tarPath, format);
    await using archive = await indexTarFile(tarPath);
    for (const [name, bytes] of sampleFiles(veryLong)) {
      const entry = archive.resolve(name);
      expect(entry, name).toMatchObject({ type: 'file', size: bytes.length });
      expect(sameBytes(await collect(archive.openMember(name)), bytes)).toBe(true);
    }
    expect(archive.get('emptydir')?.type).toBe('directory');
    expect(archive.get('.')?.type).toBe('directory');
    expect(archive.get('./ID/')).toMatchObject({ name: 'ID', type: 'directory' });
    expect(archive.get('ID/layer.tar')).toMatchObject({ type: 'symlink', linkName: '../big/layer.tar', size: 0 });
    // GNU tar stores the first of two hard-linked names as the file
    const hard = [archive.get('hard-one-block'), archive.get('one-block')];
    expect(hard.map((e) => e?.type).sort()).toEqual(['file', 'hardlink']);
    expect(sameBytes(await collect(archive.openMember('hard-one-block')), bytesOf(512, 2))).toBe(true);
    expect(sameBytes(await collect(archive.openMember('ID/layer.tar')), sampleFiles().get('big/layer.tar'))).toBe(true);
    expect(archive.resolve('link-to-manifest')?.name).toBe('manifest.json');
    expect(archive.get(LONG_FILE)?.mtime).toBeGreaterThan(1_600_000_000);
  });
});

describe('TarArchive members', () => {
  async function sample(dir: string): Promise<string> {
    const root = join(dir, 'root');
    await writeSampleTree(root);
    await gnuTar(root, join(dir, 'x.tar'), 'posix');
    return join(dir, 'x.tar');
  }

  it('reads ranges [start, end) and refuses ranges outside the member', async () => {
    await using dir = await tempDir();
    await using archive = await indexTarFile(await sample(dir.path));
    const whole = sampleFiles().get('big/layer.tar') ?? new Uint8Array();
    const part = await collect(archive.openMember('big/layer.tar', { start: 1000, end: 2_000_000 }));
    expect(sameBytes(part, whole.subarray(1000, 2_000_000))).toBe(true);
    expect(await collect(archive.openMember('big/layer.tar', { start: whole.length }))).toHaveLength(0);
    expect(() => archive.openMember('big/layer.tar', { start: 5, end: whole.length + 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  it('streams several members concurrently through the shared handle', async () => {
    await using dir = await tempDir();
    await using archive = await indexTarFile(await sample(dir.path));
    const names = ['big/layer.tar', 'ID/layer.tar', LONG_FILE, 'manifest.json', 'big/layer.tar'];
    const results = await Promise.all(names.map((n) => collect(archive.openMember(n))));
    const files = sampleFiles();
    for (const [i, name] of names.entries()) {
      expect(sameBytes(results[i], files.get(archive.resolve(name)?.name ?? '')), name).toBe(true);
    }
  });

  it('readMember enforces its limit with ERR_TOO_LARGE, and refuses missing members and directories', async () => {
    await using dir = await tempDir();
    await using archive = await indexTarFile(await sample(dir.path));
    expect(new TextDecoder().decode(await archive.readMember('manifest.json', 1024))).toContain('Config');
    await expect(archive.readMember('big/layer.tar', 1024)).rejects.toSatisfy((e) => isImageError(e, 'ERR_TOO_LARGE'));
    await expect(archive.readMember('nope', 1024)).rejects.toSatisfy((e) => isImageError(e, 'ERR_INVALID_IMAGE'));
    await expect(archive.readMember('emptydir', 1024)).rejects.toSatisfy((e) => isImageError(e, 'ERR_INVALID_IMAGE'));
    expect(archive.resolve('nope')).toBeUndefined();
  });

  it('an abort stops a member stream with signal.reason, and a closed archive refuses reads', async () => {
    await using dir = await tempDir();
    const archive = await indexTarFile(await sample(dir.path));
    const controller = new AbortController();
    const reason = new Error('stop');
    const chunks: Uint8Array[] = [];
    await expect(
      (async () => {
        for await (const chunk of archive.openMember('big/layer.tar', { signal: controller.signal })) {
          chunks.push(chunk);
          controller.abort(reason);
        }
      })(),
    ).rejects.toBe(reason);
    expect(chunks).toHaveLength(1);
    await archive.close();
    await archive.close();
    await expect(collect(archive.openMember('manifest.json'))).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_INVALID_ARGUMENT'),
    );
  });

  it('an aborted signal stops indexing with signal.reason', async () => {
    await using dir = await tempDir();
    const path = await sample(dir.path);
    const reason = new Error('stop');
    await expect(indexTarFile(path, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});
