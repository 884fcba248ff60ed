import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseNormalizedNamed } from '@ferry/reference';
import { collectBytes, digestOf, failingStream, makeTestImage, makeTestImageList, streamOf } from '@ferry/testkit';
import type { Digest } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport } from './index.ts';
import { expectSourceServes, putAll, writeImage } from './test-support/archive-helpers.ts';
import { tempDir } from './test-support/temp-dir.ts';
import { makeV2s2Image } from './test-support/v2s2-image.ts';

const transport = dockerArchiveTransport();
const UNKNOWN = `sha256:${'0123456789abcdef'.repeat(4)}` as Digest;

describe('docker-archive round trips', () => {
  it.each(['', ':busybox:v1'])('reads back a schema 2 image byte for byte (suffix %j)', async (suffix) => {
    const ref = transport.parseReference(`${join(await tempDir(), 'a.tar')}${suffix}`);
    const image = makeV2s2Image('round');
    await writeImage(ref, image);
    await using source = await ref.newImageSource();
    await expectSourceServes(source, image);
    await expect(source.getBlob({ digest: UNKNOWN })).rejects.toSatisfy((e) => isImageError(e, 'ERR_BLOB_UNKNOWN'));
    await expect(source.getManifest(image.manifest.digest)).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_MANIFEST_UNKNOWN'),
    );
    expect(await source.getSignatures?.()).toEqual([]);
  });

  it('accepts concurrent putBlob calls and blobs put without digest', async () => {
    const dir = await tempDir();
    const ref = transport.parseReference(join(dir, 'a.tar'));
    const image = makeV2s2Image('concurrent', 5);
    {
      await using dest = await ref.newImageDestination();
      expect(dest.traits.supportsConcurrentBlobWrites).toBe(true);
      expect(dest.traits.desiredLayerCompression).toBe('decompress');
      const stored = await Promise.all(image.blobs.map((b) => dest.putBlob(streamOf(b.bytes, 7), {})));
      expect(stored).toEqual(image.blobs.map((b) => ({ digest: b.digest, size: b.size })));
      await dest.putManifest(image.manifest);
      await dest.commit();
    }
    await using source = await ref.newImageSource();
    await expectSourceServes(source, image);
    expect(await readdir(dir)).toEqual(['a.tar']);
  });

  it('serves a range of a layer', async () => {
    const ref = transport.parseReference(join(await tempDir(), 'a.tar'));
    const image = makeV2s2Image('range');
    await writeImage(ref, image);
    await using source = await ref.newImageSource();
    const layer = image.layers[1];
    if (layer === undefined) throw new Error('no layer');
    const internal = source as unknown as {
      getBlobRange(i: object, r: object): Promise<{ stream: AsyncIterable<Uint8Array>; size: number }>;
    };
    const part = await internal.getBlobRange({ digest: layer.digest }, { offset: 512, length: 100 });
    expect(part.size).toBe(100);
    expect(await collectBytes(part.stream)).toEqual(layer.bytes.subarray(512, 612));
  });

  it('putBlob rejects bad input and keeps nothing of it', async () => {
    const dir = await tempDir();
    const ref = transport.parseReference(join(dir, 'a.tar'));
    const image = makeV2s2Image('failures');
    const bytes = (n: number): Uint8Array => new TextEncoder().encode(`failing blob ${n} `.repeat(200));
    const refused: Digest[] = [UNKNOWN];
    {
      await using dest = await ref.newImageDestination();
      await expect(dest.putBlob(streamOf(bytes(1), 64), { digest: UNKNOWN })).rejects.toSatisfy((e) =>
        isImageError(e, 'ERR_DIGEST_MISMATCH'),
      );
      refused.push(digestOf(bytes(1)), digestOf(bytes(2)), digestOf(bytes(3)), digestOf(bytes(4)));
      await expect(
        dest.putBlob(streamOf(bytes(2), 64), { digest: digestOf(bytes(2)), size: bytes(2).byteLength + 1 }),
      ).rejects.toSatisfy((e) => isImageError(e, 'ERR_SIZE_MISMATCH'));
      const boom = new ImageError('ERR_IO', 'injected');
      await expect(dest.putBlob(failingStream(bytes(3), 1000, boom), {})).rejects.toBe(boom);
      const controller = new AbortController();
      const reason = new Error('stop');
      async function* aborting(): AsyncGenerator<Uint8Array> {
        yield bytes(4).slice(0, 10);
        controller.abort(reason);
        yield bytes(4).slice(10);
      }
      await expect(dest.putBlob(aborting(), {}, { signal: controller.signal })).rejects.toBe(reason);
      for (const digest of refused) expect(await dest.tryReusingBlob?.({ digest })).toBeUndefined();
      const [staging] = (await readdir(dir)).filter((n) => n.startsWith('.a.tar.ferry-'));
      // failed layers were cut off the archive being assembled again
      const left = await readdir(join(dir, staging ?? 'missing'));
      expect(left.filter((n) => n !== 'archive.tar')).toEqual([]);
      if (left.includes('archive.tar')) expect((await stat(join(dir, staging ?? '', 'archive.tar'))).size).toBe(0);
      await putAll(dest, image);
      expect(await dest.tryReusingBlob?.({ digest: image.config.digest })).toEqual({
        digest: image.config.digest,
        size: image.config.size,
      });
      await dest.commit();
    }
    await using source = await ref.newImageSource();
    for (const digest of refused) {
      await expect(source.getBlob({ digest })).rejects.toSatisfy((e) => isImageError(e, 'ERR_BLOB_UNKNOWN'));
    }
    await expectSourceServes(source, image);
  });

  it('refuses lists, unknown blobs and signatures', async () => {
    const ref = transport.parseReference(join(await tempDir(), 'a.tar'));
    await using dest = await ref.newImageDestination();
    const list = makeTestImageList();
    await expect(dest.putManifest(list.manifest)).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_MANIFEST_TYPE_REJECTED'),
    );
    const image = makeV2s2Image('unknown');
    await expect(dest.putManifest(image.manifest)).rejects.toSatisfy((e) => isImageError(e, 'ERR_BLOB_UNKNOWN'));
    await expect(dest.putSignatures?.([{ kind: 'simple-signing', bytes: new Uint8Array([1]) }])).rejects.toSatisfy(
      (e) => isImageError(e, 'ERR_NOT_IMPLEMENTED'),
    );
    await expect(dest.commit()).rejects.toSatisfy((e) => isImageError(e, 'ERR_INVALID_ARGUMENT'));
  });

  it('reads gzip layers as stored, with their digests and the gzip media type', async () => {
    const ref = transport.parseReference(join(await tempDir(), 'a.tar'));
    const image = makeTestImage({ salt: 'gz' });
    await writeImage(ref, image);
    await using source = await ref.newImageSource();
    const manifest = JSON.parse(new TextDecoder().decode((await source.getManifest()).bytes));
    expect(manifest.layers).toEqual(
      image.layers.map((l) => ({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: l.size,
        digest: l.digest,
      })),
    );
    for (const blob of image.blobs) {
      expect(digestOf(await collectBytes((await source.getBlob({ digest: blob.digest })).stream))).toBe(blob.digest);
    }
  });

  it('serves zstd layers decompressed, named by their diff_ids', async () => {
    const ref = transport.parseReference(join(await tempDir(), 'a.tar'));
    const image = makeTestImage({ salt: 'zstd', layerCompression: 'zstd' });
    await writeImage(ref, image);
    const diffIds = JSON.parse(new TextDecoder().decode(image.config.bytes)).rootfs.diff_ids as Digest[];
    await using source = await ref.newImageSource();
    const manifest = JSON.parse(new TextDecoder().decode((await source.getManifest()).bytes));
    expect(manifest.layers.map((l: { digest: string; mediaType: string }) => [l.digest, l.mediaType])).toEqual(
      diffIds.map((d) => [d, 'application/vnd.docker.image.rootfs.diff.tar']),
    );
    for (const [i, diffId] of diffIds.entries()) {
      const { stream, size } = await source.getBlob({ digest: diffId });
      const bytes = await collectBytes(stream);
      expect(digestOf(bytes)).toBe(diffId);
      expect(bytes.byteLength).toBe(manifest.layers[i].size);
      expect(size).toBe(bytes.byteLength);
    }
  });
});

describe('docker-archive destination atomicity', () => {
  it('disposing without commit leaves no file at all', async () => {
    const dir = await tempDir();
    {
      await using dest = await transport.parseReference(join(dir, 'a.tar')).newImageDestination();
      await putAll(dest, makeV2s2Image('dispose'));
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an existing non-empty archive, as containers/image does, and leaves it as it was', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.tar');
    const first = makeV2s2Image('first');
    await writeImage(transport.parseReference(path), first);
    const before = await readFile(path);
    await expect(transport.parseReference(`${path}:second:v2`).newImageDestination()).rejects.toSatisfy(
      (e) => isImageError(e, 'ERR_CLOBBER') && String((e as Error).message).includes("doesn't support modifying"),
    );
    expect(await readFile(path)).toEqual(before);
    expect(await readdir(dir)).toEqual(['a.tar']);
  });

  it('replaces an empty file only at commit, and an abandoned write leaves it empty', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.tar');
    await writeFile(path, '');
    {
      await using dest = await transport.parseReference(path).newImageDestination();
      await putAll(dest, makeV2s2Image('abandoned'));
    }
    expect(await readFile(path, 'utf8')).toBe('');
    expect(await readdir(dir)).toEqual(['a.tar']);
    const second = makeV2s2Image('second');
    {
      await using dest = await transport.parseReference(`${path}:second:v2`).newImageDestination();
      await putAll(dest, second, true);
      expect(await readFile(path, 'utf8')).toBe('');
      await dest.commit();
    }
    await using source = await transport.parseReference(`${path}:second:v2`).newImageSource();
    await expectSourceServes(source, second);
  });

  it('writes through a symlinked target, as containers/image does', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'real'));
    await symlink(join('real', 't.tar'), join(dir, 'link.tar'));
    const image = makeV2s2Image('linked');
    await writeImage(transport.parseReference(join(dir, 'link.tar')), image);
    expect((await lstat(join(dir, 'link.tar'))).isSymbolicLink()).toBe(true);
    await using source = await transport.parseReference(join(dir, 'real', 't.tar')).newImageSource();
    await expectSourceServes(source, image);
  });

  it('refuses a directory as target', async () => {
    await expect(transport.parseReference(await tempDir()).newImageDestination()).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_INVALID_ARGUMENT'),
    );
  });

  it('records additional tags', async () => {
    const path = join(await tempDir(), 'a.tar');
    const image = makeV2s2Image('tags');
    {
      await using dest = await transport.parseReference(`${path}:one:1`).newImageDestination({
        additionalTags: [parseNormalizedNamed('quay.io/x/two:2'), parseNormalizedNamed('three')],
      });
      await putAll(dest, image);
      await dest.commit();
    }
    for (const name of ['one:1', 'quay.io/x/two:2', 'three:latest']) {
      await using source = await transport.parseReference(`${path}:${name}`).newImageSource();
      expect((await source.getManifest()).bytes).toEqual(image.manifest.bytes);
    }
  });
});
