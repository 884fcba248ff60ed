import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyStream } from '@ferry/blob';
import { collectBytes, expectImage, makeTestImage, streamOf, writeTestImage } from '@ferry/testkit';
import { isImageError, parseDigest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { blobFileName, dirTransport } from './index.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = dirTransport();

async function written(): Promise<{ dir: string; image: ReturnType<typeof makeTestImage> }> {
  const dir = join(await tempDir(), 'image');
  const image = makeTestImage();
  await writeTestImage(transport.parseReference(dir), image);
  return { dir, image };
}

describe('dir: bad input', () => {
  it('reports a missing manifest.json as ERR_MANIFEST_UNKNOWN', async () => {
    const { dir } = await written();
    await rm(join(dir, 'manifest.json'));
    const source = await transport.parseReference(dir).newImageSource();
    await expect(source.getManifest()).rejects.toSatisfy((e) => isImageError(e, 'ERR_MANIFEST_UNKNOWN'));
  });

  it('lets a verifying reader catch a truncated blob', async () => {
    const { dir, image } = await written();
    const layer = image.layers[0];
    if (layer === undefined) throw new Error('no layer');
    await truncate(join(dir, blobFileName(layer.digest)), layer.size - 10);
    const source = await transport.parseReference(dir).newImageSource();
    const sized = await source.getBlob(layer);
    expect(sized.size).toBe(layer.size - 10);
    await expect(
      collectBytes(verifyStream(sized.stream, { digest: layer.digest, size: layer.size })),
    ).rejects.toSatisfy((e) => isImageError(e, 'ERR_SIZE_MISMATCH'));
    const unsized = await source.getBlob({ digest: layer.digest });
    await expect(collectBytes(verifyStream(unsized.stream, { digest: layer.digest }))).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_DIGEST_MISMATCH'),
    );
  });

  it('reads ranges of a blob', async () => {
    const { dir, image } = await written();
    const source = await transport.parseReference(dir).newImageSource();
    const internal = source as unknown as import('@ferry/types/internal').InternalSource;
    const got = await internal.getBlobRange(image.config, { offset: 5, length: 20 });
    expect(Array.from(await collectBytes(got.stream))).toEqual(Array.from(image.config.bytes.subarray(5, 25)));
    await expect(internal.getBlobRange(image.config, { offset: image.config.size + 1 })).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_INVALID_ARGUMENT'),
    );
  });

  it('names non-sha256 blobs algo-hex and writes version 1.2', async () => {
    const dir = join(await tempDir(), 'image');
    const image = makeTestImage();
    const { createHash } = await import('node:crypto');
    const bytes = new TextEncoder().encode('sha512 blob');
    const digest = parseDigest(`sha512:${createHash('sha512').update(bytes).digest('hex')}`);
    const dest = await transport.parseReference(dir).newImageDestination();
    await dest.putBlob(streamOf(bytes), { digest });
    for (const blob of image.blobs) await dest.putBlob(streamOf(blob.bytes), blob);
    await dest.putManifest(image.manifest);
    await dest.commit();
    await dest[Symbol.asyncDispose]();
    expect(await readFile(join(dir, `sha512-${digest.slice(7)}`), 'utf8')).toBe('sha512 blob');
    expect(await readFile(join(dir, 'version'), 'utf8')).toBe('Directory Transport Version: 1.2\n');
  });

  it('refuses to replace a directory that is not a dir: image, or a file, and leaves it untouched', async () => {
    const base = await tempDir();
    await mkdir(join(base, 'precious'));
    await writeFile(join(base, 'precious', 'notes.txt'), 'keep me');
    await writeFile(join(base, 'file'), 'keep me too');
    for (const name of ['precious', 'file']) {
      await expect(transport.parseReference(join(base, name)).newImageDestination()).rejects.toSatisfy((e) =>
        isImageError(e, 'ERR_CLOBBER'),
      );
    }
    expect(await readFile(join(base, 'precious', 'notes.txt'), 'utf8')).toBe('keep me');
    expect((await readdir(base)).sort()).toEqual(['file', 'precious']);
  });

  it('replaces a previous image whole and leaves nothing beside it', async () => {
    const { dir } = await written();
    const next = makeTestImage({ salt: '-next' });
    await writeTestImage(transport.parseReference(dir), next);
    await expectImage(transport.parseReference(dir), next);
    expect(await readdir(join(dir, '..'))).toEqual(['image']);
    expect((await readdir(dir)).length).toBe(next.blobs.length + 2);
  });
});
