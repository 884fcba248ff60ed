import { execFile } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  collectBytes,
  digestOf,
  expectImage,
  makeTestImage,
  makeTestImageList,
  testSignatures,
  writeTestImage,
  writeTestImageList,
} from '@ferry/testkit';
import { describe, expect, it } from 'vitest';
import { dirTransport } from './index.ts';
import { tempDir } from './test-support/temp-dir.ts';

const run = promisify(execFile);
const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args]);
const transport = dirTransport();

async function files(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) out.set(name, digestOf(await readFile(join(dir, name))));
  return out;
}

describe('dir: against skopeo', () => {
  it('writes through a symlink to a directory, as skopeo does, and skopeo reads it', async () => {
    const base = await tempDir();
    await mkdir(join(base, 'real'));
    await symlink('real', join(base, 'link'));
    const image = makeTestImage({ salt: 'linked' });
    await writeTestImage(transport.parseReference(join(base, 'link')), image);
    expect((await lstat(join(base, 'link'))).isSymbolicLink()).toBe(true);
    expect(await readdir(join(base, 'real'))).toContain('manifest.json');
    await skopeo('copy', `dir:${join(base, 'link')}`, `dir:${join(base, 'check')}`);
    expect((await readdir(base)).sort()).toEqual(['check', 'link', 'real']);
  });

  it('skopeo copies an image Ferry wrote, to dir: and oci:, with identical bytes', async () => {
    const base = await tempDir();
    const image = makeTestImage();
    const signature = testSignatures().filter((s) => s.kind === 'simple-signing');
    await writeTestImage(transport.parseReference(join(base, 'a')), image, { signatures: signature });
    await skopeo('copy', `dir:${join(base, 'a')}`, `dir:${join(base, 'b')}`);
    expect(await files(join(base, 'b'))).toEqual(await files(join(base, 'a')));
    expect(await readFile(join(base, 'a', 'version'), 'utf8')).toBe('Directory Transport Version: 1.1\n');
    await skopeo('copy', '--remove-signatures', `dir:${join(base, 'a')}`, `oci:${join(base, 'layout')}:v1`);
    const { stdout } = await skopeo('inspect', '--raw', `oci:${join(base, 'layout')}:v1`);
    expect(stdout).toBe(new TextDecoder().decode(image.manifest.bytes));
  }, 60_000);

  it('reads back byte for byte what skopeo wrote, from dir: and from oci:', async () => {
    const base = await tempDir();
    const image = makeTestImage({ salt: '-skopeo' });
    await writeTestImage(transport.parseReference(join(base, 'a')), image);
    await skopeo('copy', `dir:${join(base, 'a')}`, `dir:${join(base, 'c')}`);
    await expectImage(transport.parseReference(join(base, 'c')), image);
    await skopeo('copy', `dir:${join(base, 'a')}`, `oci:${join(base, 'layout')}:v1`);
    await skopeo('copy', `oci:${join(base, 'layout')}:v1`, `dir:${join(base, 'd')}`);
    await expectImage(transport.parseReference(join(base, 'd')), image);
  }, 60_000);

  it('exchanges image lists and signatures of both kinds with skopeo', async () => {
    const base = await tempDir();
    const list = makeTestImageList();
    await writeTestImageList(transport.parseReference(join(base, 'a')), list, { signatures: testSignatures() });
    await skopeo('copy', '--all', `dir:${join(base, 'a')}`, `dir:${join(base, 'b')}`);
    const source = await transport.parseReference(join(base, 'b')).newImageSource();
    try {
      expect(Array.from((await source.getManifest()).bytes)).toEqual(Array.from(list.manifest.bytes));
      for (const image of list.images) {
        const instance = await source.getManifest(image.manifest.digest);
        expect(Array.from(instance.bytes)).toEqual(Array.from(image.manifest.bytes));
        for (const blob of image.blobs) {
          expect(digestOf(await collectBytes((await source.getBlob(blob)).stream))).toBe(blob.digest);
        }
      }
      const signatures = await source.getSignatures?.();
      expect(signatures?.map((s) => s.kind)).toEqual(['simple-signing', 'sigstore']);
    } finally {
      await source[Symbol.asyncDispose]();
    }
    const instanceFile = `${list.images[0]?.manifest.digest.slice('sha256:'.length)}.manifest.json`;
    expect((await files(join(base, 'b'))).get(instanceFile)).toBe(list.images[0]?.manifest.digest);
  }, 60_000);
});
