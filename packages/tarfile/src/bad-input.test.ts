import { readdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyStream } from '@ferry/blob';
import { makeTar } from '@ferry/testkit';
import { digestHex, isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport, openDockerArchive } from './index.ts';
import { writeImage } from './test-support/archive-helpers.ts';
import { gnuTar, type TreeEntry } from './test-support/gnu-tar.ts';
import { tempDir } from './test-support/temp-dir.ts';
import { makeV2s2Image } from './test-support/v2s2-image.ts';

const transport = dockerArchiveTransport();
const image = makeV2s2Image('bad');
const [layer0, layer1] = image.layers as [(typeof image.layers)[0], (typeof image.layers)[0]];
const configName = `${digestHex(image.config.digest)}.json`;

function tree(manifest: unknown, extra: Record<string, TreeEntry> = {}): Record<string, TreeEntry> {
  return {
    [configName]: image.config.bytes,
    'l0.tar': layer0.bytes,
    'l1.tar': layer1.bytes,
    'manifest.json': typeof manifest === 'string' ? manifest : JSON.stringify(manifest),
    ...extra,
  };
}

const item = (layers: string[], config = configName): object[] => [{ Config: config, RepoTags: null, Layers: layers }];

/** Opens the archive as a source and reads its manifest, with a temp dir that must stay empty. */
async function readArchive(path: string): Promise<void> {
  const spool = await tempDir();
  try {
    await using source = await transport.parseReference(path).newImageSource({ tempDir: spool });
    await source.getManifest();
  } finally {
    expect(await readdir(spool)).toEqual([]);
  }
}

describe('bad docker archives fail with ERR_INVALID_IMAGE', () => {
  it.each([
    ['a missing layer', tree(item(['l0.tar', 'nothere.tar'])), /nothere\.tar.*not in the archive/],
    ['a ../ name escaping the archive', tree(item(['l0.tar', '../outside.tar'])), /outside\.tar.*leaves/],
    ['an absolute name', tree(item(['/etc/passwd', 'l1.tar'])), /passwd.*leaves/],
    ['a config escaping', tree(item(['l0.tar', 'l1.tar'], '../x.json')), /x\.json.*leaves/],
    [
      'a symlink escaping the archive',
      tree(item(['l0.tar', 'evil/layer.tar']), { 'evil/layer.tar': { symlink: '../../../etc/passwd' } }),
      /evil\/layer\.tar.*leaves/,
    ],
    [
      'an absolute symlink',
      tree(item(['l0.tar', 'evil/layer.tar']), { 'evil/layer.tar': { symlink: '/etc/passwd' } }),
      /evil\/layer\.tar/,
    ],
    ['corrupt manifest.json', tree('[{"Config": '), /not valid JSON/],
    ['manifest.json not an array', tree({ Config: configName }), /not a JSON array/],
    ['an item without Config', tree([{ Layers: [] }]), /no Config/],
    ['a layer count differing from the config', tree(item(['l0.tar'])), /inconsistent layer count/],
    [
      'a config that is not JSON',
      tree(item(['l0.tar', 'l1.tar'], 'bad.json'), { 'bad.json': 'not json' }),
      /not valid JSON/,
    ],
    ['a config without rootfs', tree(item([], 'bad.json'), { 'bad.json': '{}' }), /rootfs is not set/],
    ['no manifest.json', { 'l0.tar': layer0.bytes }, /no manifest\.json/],
  ])('%s', async (_, files, message) => {
    const dir = await tempDir();
    const path = join(dir, 'bad.tar');
    await gnuTar(join(dir, 'work'), path, files);
    const error = await readArchive(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_INVALID_IMAGE')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((await readdir(dir)).sort()).toEqual(['bad.tar', 'work']);
  });

  it('a truncated archive', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.tar');
    await writeImage(transport.parseReference(path), image);
    const { size } = await stat(path);
    await truncate(path, Math.floor(size / 2) + 100);
    await expect(readArchive(path)).rejects.toSatisfy((e) => isImageError(e, 'ERR_INVALID_IMAGE'));
  });

  it('a truncated archive on a pipe leaves no spool file', async () => {
    const full = makeTar([{ name: 'manifest.json', content: new TextEncoder().encode('[]') }]);
    const spool = await tempDir();
    async function* cut(): AsyncGenerator<Uint8Array> {
      yield full.subarray(0, 700);
    }
    await expect(openDockerArchive(cut(), { tempDir: spool })).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_INVALID_IMAGE'),
    );
    expect(await readdir(spool)).toEqual([]);
  });

  it('a missing file fails with ERR_IO', async () => {
    await expect(readArchive(join(await tempDir(), 'none.tar'))).rejects.toSatisfy((e) => isImageError(e, 'ERR_IO'));
  });

  it('a layer whose bytes do not match its diff_id is caught by verification', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.tar');
    const other = makeV2s2Image('other');
    await gnuTar(
      join(dir, 'work'),
      path,
      tree(item(['l0.tar', 'swapped.tar']), { 'swapped.tar': other.layers[1]?.bytes ?? '' }),
    );
    await using source = await transport.parseReference(path).newImageSource();
    await source.getManifest();
    const { stream } = await source.getBlob({ digest: layer1.digest });
    const verified = verifyStream(stream, { digest: layer1.digest });
    await expect(
      (async () => {
        for await (const _ of verified) {
          // read to the end
        }
      })(),
    ).rejects.toSatisfy((e) => isImageError(e, 'ERR_DIGEST_MISMATCH'));
  });

  it('an escaping name is refused even while the source is only opened', async () => {
    const dir = await tempDir();
    const path = join(dir, 'bad.tar');
    await gnuTar(join(dir, 'work'), path, tree(item(['l0.tar', '../l1.tar'])));
    await expect(openDockerArchive(path)).rejects.toSatisfy((e) => isImageError(e, 'ERR_INVALID_IMAGE'));
  });
});
