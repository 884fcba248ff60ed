import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { digestHex } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport, openDockerArchive } from './index.ts';
import { expectSourceServes, writeImage } from './test-support/archive-helpers.ts';
import { gnuTar } from './test-support/gnu-tar.ts';
import { run, skopeo } from './test-support/run-tool.ts';
import { tempDir } from './test-support/temp-dir.ts';
import { makeV2s2Image } from './test-support/v2s2-image.ts';

const transport = dockerArchiveTransport();

describe('legacy layouts', () => {
  it('reads ID/layer.tar members, a ../ symlink between them, and familiar RepoTags', async () => {
    const dir = await tempDir();
    const path = join(dir, 'legacy.tar');
    const image = makeV2s2Image('legacy', 2);
    const [l0, l1] = image.layers as [(typeof image.layers)[0], (typeof image.layers)[0]];
    const id = (n: number): string => String(n).repeat(64);
    await gnuTar(join(dir, 'work'), path, {
      [`${digestHex(image.config.digest)}.json`]: image.config.bytes,
      [`${id(1)}/layer.tar`]: l0.bytes,
      [`${id(1)}/VERSION`]: '1.0',
      [`${id(1)}/json`]: JSON.stringify({ id: id(1) }),
      [`${id(3)}/layer.tar`]: l1.bytes,
      [`${id(2)}/layer.tar`]: { symlink: `../${id(3)}/layer.tar` },
      [`${id(2)}/VERSION`]: '1.0',
      [`${id(2)}/json`]: JSON.stringify({ id: id(2), parent: id(1) }),
      'manifest.json': JSON.stringify([
        {
          Config: `${digestHex(image.config.digest)}.json`,
          RepoTags: ['legacy:1'],
          Layers: [`${id(1)}/layer.tar`, `./${id(2)}//layer.tar`],
        },
      ]),
      repositories: JSON.stringify({ legacy: { '1': id(2) } }),
    });
    expect(await run('tar', ['-tvf', path])).toMatch(/layer\.tar -> \.\.\//);
    for (const text of [`${path}:legacy:1`, `${path}:docker.io/library/legacy:1`, path]) {
      await using source = await transport.parseReference(text).newImageSource();
      await expectSourceServes(source, image);
    }
    const inspected = JSON.parse(await skopeo('inspect', `docker-archive:${path}:legacy:1`));
    expect(inspected.Layers).toEqual([l0.digest, l1.digest]);
  });
});

describe('non-seekable and compressed input', () => {
  it('spools a stream once and removes the copy on dispose', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.tar');
    const image = makeV2s2Image('stream');
    await writeImage(transport.parseReference(path), image);
    const spool = await tempDir();
    {
      await using reader = await openDockerArchive(createReadStream(path, { highWaterMark: 1000 }), { tempDir: spool });
      expect(await readdir(spool)).toHaveLength(1);
      await using source = reader.newImageSource();
      await expectSourceServes(source, image);
      await expectSourceServes(source, image);
      expect(await readdir(spool)).toHaveLength(1);
    }
    expect(await readdir(spool)).toEqual([]);
  });

  it('reads a named pipe given as the path', { timeout: 30_000 }, async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.tar');
    const image = makeV2s2Image('fifo');
    await writeImage(transport.parseReference(path), image);
    const fifo = join(dir, 'pipe');
    await run('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat "${path}" > "${fifo}"`], { stdio: 'ignore' });
    const done = new Promise((resolve) => writer.on('exit', resolve));
    const spool = await tempDir();
    {
      await using source = await transport.parseReference(fifo).newImageSource({ tempDir: spool });
      await expectSourceServes(source, image);
    }
    expect(await done).toBe(0);
    expect(await readdir(spool)).toEqual([]);
  });

  it('reads a gzip-compressed archive', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.tar');
    const image = makeV2s2Image('gzipped');
    await writeImage(transport.parseReference(path), image);
    await writeFile(join(dir, 'a.tar.gz'), gzipSync(await readFile(path)));
    await using source = await transport.parseReference(join(dir, 'a.tar.gz')).newImageSource();
    await expectSourceServes(source, image);
  });
});
