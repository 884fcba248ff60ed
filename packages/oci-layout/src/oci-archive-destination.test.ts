import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expectImage, makeTestImage, putImage, writeTestImage } from '@ferry/testkit';
import { isImageError } from '@ferry/types';
import { asInternalDestination } from '@ferry/types/internal';
import { describe, expect, it } from 'vitest';
import { ociArchiveTransport } from './index.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = ociArchiveTransport();

/** Hidden leftovers (staging directories, temp archives) beside an archive in `dir`. */
async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('.'));
}

describe('oci-archive: writing', () => {
  it('writes skopeo’s members in skopeo’s order, listed by tar -tvf', async () => {
    const base = await tempDir();
    const image = makeTestImage({ salt: 'order' });
    await writeTestImage(transport.parseReference(`${base}/a.tar:v1`), image);
    const listing = (await promisify(execFile)('tar', ['-tvf', `${base}/a.tar`])).stdout.trim().split('\n');
    const names = listing.map((line) => line.split(/\s+/).at(-1));
    const blobs = [...image.blobs.map((b) => b.digest), image.manifest.digest]
      .map((d) => `blobs/sha256/${d.slice('sha256:'.length)}`)
      .sort();
    expect(names).toEqual(['blobs/', 'blobs/sha256/', ...blobs, 'index.json', 'oci-layout']);
    expect(listing[2]).toMatch(/^-rw-r--r-- /);
    expect(listing[0]).toMatch(/^drwxr-xr-x /);
    expect(await leftovers(base)).toEqual([]);
  });

  it('replaces an existing archive whole, as containers/image does', async () => {
    const base = await tempDir();
    const first = makeTestImage({ salt: 'first' });
    const second = makeTestImage({ salt: 'second' });
    await writeTestImage(transport.parseReference(`${base}/a.tar:first`), first);
    await writeTestImage(transport.parseReference(`${base}/a.tar:second`), second);
    await expectImage(transport.parseReference(`${base}/a.tar:second`), second);
    await expectImage(transport.parseReference(`${base}/a.tar`), second);
    await expect(transport.parseReference(`${base}/a.tar:first`).newImageSource()).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_MANIFEST_UNKNOWN'),
    );
  });

  it('reports the committed manifest digest', async () => {
    const base = await tempDir();
    const image = makeTestImage({ salt: 'digest' });
    await using dest = asInternalDestination(await transport.parseReference(`${base}/a.tar`).newImageDestination());
    await putImage(dest, image, undefined);
    await dest.commit();
    expect(dest.committedManifestDigest).toBe(image.manifest.digest);
  });

  it('disposing without commit leaves neither archive nor staging; the old archive stays', async () => {
    const base = await tempDir();
    const old = makeTestImage({ salt: 'old' });
    await writeTestImage(transport.parseReference(`${base}/a.tar:v`), old);
    const before = await readFile(`${base}/a.tar`);
    {
      await using dest = await transport.parseReference(`${base}/a.tar:v`).newImageDestination();
      await putImage(dest, makeTestImage({ salt: 'new' }), undefined);
      expect(await leftovers(base)).toHaveLength(1);
    }
    expect(await readFile(`${base}/a.tar`)).toEqual(before);
    expect(await leftovers(base)).toEqual([]);
    {
      await using dest = await transport.parseReference(`${base}/b.tar`).newImageDestination();
      await putImage(dest, makeTestImage({ salt: 'new' }), undefined);
    }
    expect((await readdir(base)).sort()).toEqual(['a.tar']);
  });

  it('an aborted commit keeps the old archive and removes the temp file', async () => {
    const base = await tempDir();
    await writeTestImage(transport.parseReference(`${base}/a.tar`), makeTestImage({ salt: 'keep' }));
    const before = await readFile(`${base}/a.tar`);
    const controller = new AbortController();
    const reason = new Error('stop');
    {
      await using dest = await transport.parseReference(`${base}/a.tar`).newImageDestination();
      await putImage(dest, makeTestImage({ salt: 'lost' }), undefined);
      controller.abort(reason);
      await expect(dest.commit({ signal: controller.signal })).rejects.toBe(reason);
    }
    expect(await readFile(`${base}/a.tar`)).toEqual(before);
    expect(await leftovers(base)).toEqual([]);
  });

  it('a new destination removes leftovers of dead processes, not those of live ones', async () => {
    const base = await tempDir();
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.on('close', resolve));
    const deadStaging = join(base, `.a.tar.ferry-${dead.pid}-0a1b2c.staging`);
    const deadTemp = join(base, `.a.tar.ferry-${dead.pid}-0a1b2d.tmp`);
    const liveTemp = join(base, `.a.tar.ferry-${process.pid}-0a1b2e.tmp`);
    const otherArchive = join(base, `.b.tar.ferry-${dead.pid}-0a1b2f.tmp`);
    await mkdir(join(deadStaging, 'blobs'), { recursive: true });
    await Promise.all([deadTemp, liveTemp, otherArchive].map((p) => writeFile(p, 'partial')));
    await writeTestImage(transport.parseReference(`${base}/a.tar`), makeTestImage({ salt: 'clean' }));
    expect((await readdir(base)).sort()).toEqual(
      [otherArchive, liveTemp]
        .map((p) => p.slice(base.length + 1))
        .concat('a.tar')
        .sort(),
    );
  });

  it('writes through a symlink to the file it names, and refuses a directory', async () => {
    const base = await tempDir();
    await mkdir(`${base}/real`);
    await writeFile(`${base}/real/a.tar`, 'old');
    await symlink(`${base}/real/a.tar`, `${base}/link.tar`);
    const image = makeTestImage({ salt: 'link' });
    await writeTestImage(transport.parseReference(`${base}/link.tar`), image);
    await expectImage(transport.parseReference(`${base}/real/a.tar`), image);
    expect((await readdir(base)).sort()).toEqual(['link.tar', 'real']);
    await expect(transport.parseReference(`${base}/real`).newImageDestination()).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_CLOBBER'),
    );
  });

  it('creates missing parent directories', async () => {
    const base = await tempDir();
    const image = makeTestImage({ salt: 'parents' });
    await writeTestImage(transport.parseReference(`${base}/x/y/a.tar:v`), image);
    await expectImage(transport.parseReference(`${base}/x/y/a.tar:v`), image);
  });

  it('streams straight into a FIFO, staging in tempDir', async () => {
    const base = await tempDir();
    const scratch = join(base, 'scratch');
    await mkdir(scratch);
    const fifo = join(base, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = promisify(execFile)('sh', ['-c', `cat "${fifo}" > "${base}/out.tar"`]);
    const image = makeTestImage({ salt: 'fifo-out' });
    {
      await using dest = await transport.parseReference(`${fifo}:v`).newImageDestination({ tempDir: scratch });
      await putImage(dest, image, undefined);
      expect(await readdir(scratch)).toHaveLength(1);
      await dest.commit();
    }
    await reader;
    await expectImage(transport.parseReference(`${base}/out.tar:v`), image);
    expect(await readdir(scratch)).toEqual([]);
  });
});
