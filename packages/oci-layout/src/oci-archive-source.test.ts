import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  collectBytes,
  digestOf,
  expectImage,
  makeTar,
  makeTestImage,
  makeTestImageList,
  type TarEntry,
  type TestImage,
  writeTestImage,
  writeTestImageList,
} from '@ferry/testkit';
import { type Digest, isImageError } from '@ferry/types';
import { asInternalSource } from '@ferry/types/internal';
import { describe, expect, it } from 'vitest';
import { ociArchiveTransport } from './index.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = ociArchiveTransport();
const text = new TextEncoder();

/** The members of an OCI archive holding `image` under `name`, for hand-made (and broken) archives. */
function layoutEntries(image: TestImage, name?: string): TarEntry[] {
  const descriptor = {
    mediaType: image.manifest.mediaType,
    digest: image.manifest.digest,
    size: image.manifest.bytes.byteLength,
    ...(name !== undefined && { annotations: { 'org.opencontainers.image.ref.name': name } }),
  };
  const blobs = [...image.blobs, { digest: image.manifest.digest, bytes: image.manifest.bytes }];
  return [
    { name: 'blobs/' },
    { name: 'blobs/sha256/' },
    ...blobs.map((b) => ({ name: `blobs/sha256/${b.digest.slice('sha256:'.length)}`, content: b.bytes })),
    { name: 'index.json', content: text.encode(JSON.stringify({ schemaVersion: 2, manifests: [descriptor] })) },
    { name: 'oci-layout', content: text.encode('{"imageLayoutVersion": "1.0.0"}') },
  ];
}

async function rejectsWith(promise: Promise<unknown>, code: Parameters<typeof isImageError>[1]): Promise<void> {
  await expect(promise).rejects.toSatisfy((e) => isImageError(e, code));
}

describe('oci-archive: reading', () => {
  it('reads a hand-made archive in place: nothing is extracted or spooled', async () => {
    const base = await tempDir();
    const scratch = join(base, 'scratch');
    await mkdir(scratch);
    const image = makeTestImage({ salt: 'in-place' });
    const file = join(base, 'image.tar');
    await writeFile(file, makeTar(layoutEntries(image, 'v1')));
    const ref = transport.parseReference(`${file}:v1`);
    await using source = asInternalSource(await ref.newImageSource({ tempDir: scratch }));
    expect(await readdir(scratch)).toEqual([]);
    const manifest = await source.getManifest();
    expect(manifest.bytes).toEqual(image.manifest.bytes);
    expect(manifest.mediaType).toBe(image.manifest.mediaType);
    const reads = image.blobs.map(async (blob) => {
      const { stream, size } = await source.getBlob({ digest: blob.digest });
      expect(size).toBe(blob.size);
      expect(digestOf(await collectBytes(stream))).toBe(blob.digest);
    });
    await Promise.all(reads);
    const layer = image.layers[0] as TestImage['layers'][number];
    const range = await source.getBlobRange({ digest: layer.digest }, { offset: 10, length: 20 });
    expect(range.size).toBe(20);
    expect(await collectBytes(range.stream)).toEqual(layer.bytes.subarray(10, 30));
    expect(await readdir(scratch)).toEqual([]);
    expect(await source.getSignatures()).toEqual([]);
  });

  it('resolves by name, or the only image without one', async () => {
    const base = await tempDir();
    const image = makeTestImage({ salt: 'by-name' });
    await writeTestImage(transport.parseReference(`${base}/a.tar:one`), image);
    await expectImage(transport.parseReference(`${base}/a.tar:one`), image);
    await expectImage(transport.parseReference(`${base}/a.tar`), image);
    await rejectsWith(transport.parseReference(`${base}/a.tar:two`).newImageSource(), 'ERR_MANIFEST_UNKNOWN');
  });

  it('reads an index and its instances', async () => {
    const base = await tempDir();
    const list = makeTestImageList();
    await writeTestImageList(transport.parseReference(`${base}/l.tar:multi`), list);
    await using source = await transport.parseReference(`${base}/l.tar:multi`).newImageSource();
    expect((await source.getManifest()).bytes).toEqual(list.manifest.bytes);
    for (const image of list.images) {
      const got = await source.getManifest(image.manifest.digest);
      expect(got.bytes).toEqual(image.manifest.bytes);
      expect(got.mediaType).toBe(image.manifest.mediaType);
    }
  });

  it('spools a FIFO once into tempDir and removes the spool file when disposed', async () => {
    const base = await tempDir();
    const scratch = join(base, 'scratch');
    await mkdir(scratch);
    const image = makeTestImage({ salt: 'fifo' });
    const file = join(base, 'image.tar');
    await writeTestImage(transport.parseReference(`${file}:p`), image);
    const fifo = join(base, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const feeding = pipeline(createReadStream(file), createWriteStream(fifo));
    const source = await transport.parseReference(`${fifo}:p`).newImageSource({ tempDir: scratch });
    await feeding;
    try {
      expect(await readdir(scratch)).toHaveLength(1);
      expect((await source.getManifest()).bytes).toEqual(image.manifest.bytes);
      for (const blob of image.blobs) {
        expect(digestOf(await collectBytes((await source.getBlob({ digest: blob.digest })).stream))).toBe(blob.digest);
      }
    } finally {
      await source[Symbol.asyncDispose]();
    }
    expect(await readdir(scratch)).toEqual([]);
  });

  it('a missing blob is ERR_BLOB_UNKNOWN, a missing manifest ERR_MANIFEST_UNKNOWN', async () => {
    const base = await tempDir();
    const image = makeTestImage({ salt: 'missing' });
    const layer = image.layers[1] as TestImage['layers'][number];
    const entries = layoutEntries(image).filter((e) => !e.name.endsWith(layer.digest.slice('sha256:'.length)));
    await writeFile(join(base, 'a.tar'), makeTar(entries));
    await using source = await transport.parseReference(join(base, 'a.tar')).newImageSource();
    await rejectsWith(source.getBlob({ digest: layer.digest }), 'ERR_BLOB_UNKNOWN');
    const other = `sha256:${'0'.repeat(64)}` as Digest;
    await rejectsWith(source.getManifest(other), 'ERR_MANIFEST_UNKNOWN');
  });
});

describe('oci-archive: bad input', () => {
  const image = makeTestImage({ salt: 'bad' });

  async function archiveOf(entries: readonly TarEntry[]): Promise<string> {
    const file = join(await tempDir(), 'bad.tar');
    await writeFile(file, makeTar(entries));
    return file;
  }

  it('a missing file is ERR_MANIFEST_UNKNOWN; a directory ERR_INVALID_IMAGE', async () => {
    const base = await tempDir();
    await rejectsWith(transport.parseReference(`${base}/absent.tar`).newImageSource(), 'ERR_MANIFEST_UNKNOWN');
    await rejectsWith(transport.parseReference(base).newImageSource(), 'ERR_INVALID_IMAGE');
  });

  it('a truncated archive is ERR_INVALID_IMAGE', async () => {
    const file = await archiveOf(layoutEntries(image));
    const { size } = await stat(file);
    await truncate(file, size - 3000);
    await rejectsWith(transport.parseReference(file).newImageSource(), 'ERR_INVALID_IMAGE');
  });

  it('an archive without index.json or with a bad oci-layout is ERR_INVALID_IMAGE', async () => {
    const noIndex = await archiveOf(layoutEntries(image).filter((e) => e.name !== 'index.json'));
    await expect(transport.parseReference(noIndex).newImageSource()).rejects.toSatisfy(
      (e) => isImageError(e, 'ERR_INVALID_IMAGE') && e.message.includes('index.json'),
    );
    const noLayout = await archiveOf(layoutEntries(image).filter((e) => e.name !== 'oci-layout'));
    await rejectsWith(transport.parseReference(noLayout).newImageSource(), 'ERR_INVALID_IMAGE');
    const version = layoutEntries(image).map((e) =>
      e.name === 'oci-layout' ? { ...e, content: text.encode('{"imageLayoutVersion":"2.0.0"}') } : e,
    );
    await rejectsWith(transport.parseReference(await archiveOf(version)).newImageSource(), 'ERR_INVALID_IMAGE');
    const broken = layoutEntries(image).map((e) =>
      e.name === 'index.json' ? { ...e, content: text.encode('{"schemaVersion":2,"manifests":[{}]}') } : e,
    );
    await rejectsWith(transport.parseReference(await archiveOf(broken)).newImageSource(), 'ERR_INVALID_IMAGE');
  });

  it('a member escaping the archive, or an absolute one, is ERR_INVALID_IMAGE', async () => {
    for (const name of ['../evil', '/etc/evil', 'blobs/../../evil']) {
      const file = await archiveOf([...layoutEntries(image), { name, content: text.encode('x') }]);
      await rejectsWith(transport.parseReference(file).newImageSource(), 'ERR_INVALID_IMAGE');
    }
  });

  it('a tar that is not a tar is ERR_INVALID_IMAGE', async () => {
    const file = join(await tempDir(), 'junk.tar');
    await writeFile(file, new Uint8Array(4096).fill(0x41));
    await rejectsWith(transport.parseReference(file).newImageSource(), 'ERR_INVALID_IMAGE');
    expect((await readFile(file)).byteLength).toBe(4096);
  });
});
