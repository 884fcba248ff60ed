import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyStream } from '@ferry/blob';
import { layerInfos, parseManifest } from '@ferry/manifest';
import { makeTestImage, makeTestImageList, writeTestImage, writeTestImageList } from '@ferry/testkit';
import type { Digest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { ociArchiveTransport } from './index.ts';
import { run, skopeo } from './test-support/run-tool.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = ociArchiveTransport();

/** Reads an image through Ferry and verifies every blob's digest and size; returns the manifest bytes. */
async function readAndVerify(text: string): Promise<Uint8Array> {
  await using source = await transport.parseReference(text).newImageSource();
  const { bytes, mediaType } = await source.getManifest();
  const manifest = parseManifest(bytes, mediaType);
  if (manifest.kind !== 'oci-manifest' && manifest.kind !== 'docker-schema2') {
    throw new Error(`unexpected ${manifest.kind}`);
  }
  for (const blob of [manifest.config, ...layerInfos(manifest)]) {
    const digest = blob.digest as Digest;
    const { stream } = await source.getBlob({ digest });
    for await (const _ of verifyStream(stream, { digest, ...(blob.size !== undefined && { size: blob.size }) })) {
      // verified to the end
    }
  }
  return bytes;
}

describe('skopeo judges oci-archive', () => {
  it('skopeo reads an archive Ferry writes, byte for byte', { timeout: 60_000 }, async () => {
    const base = await tempDir();
    const image = makeTestImage({ salt: 'to-skopeo' });
    await writeTestImage(transport.parseReference(`${base}/a.tar:v1`), image);
    const raw = await skopeo('inspect', '--raw', `oci-archive:${base}/a.tar:v1`);
    expect(raw).toBe(new TextDecoder().decode(image.manifest.bytes));
    await skopeo('copy', `oci-archive:${base}/a.tar:v1`, `dir:${base}/dir`);
    expect(new Uint8Array(await readFile(join(base, 'dir', 'manifest.json')))).toEqual(image.manifest.bytes);
    for (const blob of image.blobs) {
      const hex = blob.digest.slice('sha256:'.length);
      expect(new Uint8Array(await readFile(join(base, 'dir', hex)))).toEqual(blob.bytes);
    }
    // without a name: the only image
    await writeTestImage(transport.parseReference(`${base}/b.tar`), image);
    expect(await skopeo('inspect', '--raw', `oci-archive:${base}/b.tar`)).toBe(raw);
  });

  it('skopeo copies a multi-arch index Ferry archives, whole', { timeout: 60_000 }, async () => {
    const base = await tempDir();
    const list = makeTestImageList();
    await writeTestImageList(transport.parseReference(`${base}/l.tar:multi`), list);
    await skopeo('copy', '--all', `oci-archive:${base}/l.tar:multi`, `oci:${base}/layout:multi`);
    expect(await skopeo('inspect', '--raw', `oci:${base}/layout:multi`)).toBe(
      new TextDecoder().decode(list.manifest.bytes),
    );
    await skopeo('copy', '--all', `oci:${base}/layout:multi`, `oci-archive:${base}/back.tar:m`);
    await using source = await transport.parseReference(`${base}/back.tar:m`).newImageSource();
    expect((await source.getManifest()).bytes).toEqual(list.manifest.bytes);
    for (const image of list.images) {
      expect((await source.getManifest(image.manifest.digest)).bytes).toEqual(image.manifest.bytes);
    }
  });

  it('Ferry reads archives skopeo writes from an umoci layout, byte-exact', { timeout: 60_000 }, async () => {
    const base = await tempDir();
    const layout = join(base, 'layout');
    await run('umoci', ['init', '--layout', layout]);
    await run('umoci', ['new', '--image', `${layout}:base`]);
    await run('umoci', ['unpack', '--rootless', '--image', `${layout}:base`, join(base, 'bundle')]);
    await writeFile(join(base, 'bundle', 'rootfs', 'hello.txt'), 'hello from umoci\n');
    await run('umoci', ['repack', '--image', `${layout}:edited`, join(base, 'bundle')]);
    const expected = await skopeo('inspect', '--raw', `oci:${layout}:edited`);
    await skopeo('copy', `oci:${layout}:edited`, `oci-archive:${base}/named.tar:edited`);
    await skopeo('copy', `oci:${layout}:edited`, `oci-archive:${base}/unnamed.tar`);
    const named = await readAndVerify(`${base}/named.tar:edited`);
    expect(new TextDecoder().decode(named)).toBe(expected);
    const manifest = parseManifest(named);
    expect(manifest.kind === 'oci-manifest' && manifest.layers.length).toBe(1);
    expect(await readAndVerify(`${base}/unnamed.tar`)).toEqual(named);
  });
});
