import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyStream } from '@ferry/blob';
import { layerInfos, parseManifest } from '@ferry/manifest';
import { makeTestImage, makeTestImageList, writeTestImage, writeTestImageList } from '@ferry/testkit';
import type { Digest, ImageSource } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { ociTransport, openLayout } from './index.ts';
import { run, skopeo } from './test-support/run-tool.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = ociTransport();

async function drain(stream: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of stream) {
    // read to the end so verification runs
  }
}

/** Reads the image through Ferry, checks manifest bytes against the blob file and verifies every blob. */
async function readAndVerify(text: string): Promise<Uint8Array> {
  const [dir] = text.split(':') as [string];
  await using source: ImageSource = await transport.parseReference(text).newImageSource();
  const { bytes, mediaType } = await source.getManifest();
  await using layout = await openLayout(dir);
  const manifest = parseManifest(bytes, mediaType);
  expect(new Uint8Array(await readFile(layout.blobPath(manifest.digest)))).toEqual(bytes);
  if (manifest.kind !== 'oci-manifest' && manifest.kind !== 'docker-schema2')
    throw new Error(`unexpected ${manifest.kind}`);
  for (const blob of [manifest.config, ...layerInfos(manifest)]) {
    const { stream } = await source.getBlob({ digest: blob.digest as Digest });
    await drain(
      verifyStream(stream, { digest: blob.digest as Digest, ...(blob.size !== undefined && { size: blob.size }) }),
    );
  }
  return bytes;
}

describe('umoci and skopeo judge Ferry layouts', () => {
  it('a layout Ferry writes passes umoci stat, umoci unpack and skopeo copy', { timeout: 60_000 }, async () => {
    const base = await tempDir();
    const layout = join(base, 'layout');
    const image = makeTestImage({ salt: 'judge' });
    await writeTestImage(transport.parseReference(`${layout}:v1`), image);
    await writeTestImage(transport.parseReference(`${layout}:v2`), makeTestImage({ salt: 'other' }));
    // --json: umoci 0.4.7's table output dereferences history[].created, which the test image leaves out
    const stat = JSON.parse(await run('umoci', ['stat', '--json', '--image', `${layout}:v1`]));
    expect(stat.history).toHaveLength(2);
    await run('umoci', ['unpack', '--rootless', '--image', `${layout}:v1`, join(base, 'bundle')]);
    expect(await readFile(join(base, 'bundle', 'rootfs', 'etc', 'hostname'), 'utf8')).toBe('ferryjudge\n');
    await skopeo('copy', `oci:${layout}:v1`, `dir:${join(base, 'dir')}`);
    expect(new Uint8Array(await readFile(join(base, 'dir', 'manifest.json')))).toEqual(image.manifest.bytes);
  });

  it('a multi-arch index Ferry writes is copied whole by skopeo and back', { timeout: 60_000 }, async () => {
    const base = await tempDir();
    const list = makeTestImageList();
    await writeTestImageList(transport.parseReference(`${base}/a:multi`), list);
    await skopeo('copy', '--all', `oci:${base}/a:multi`, `oci:${base}/b:multi`);
    await using source = await transport.parseReference(`${base}/b:multi`).newImageSource();
    expect((await source.getManifest()).bytes).toEqual(list.manifest.bytes);
    for (const image of list.images) {
      expect((await source.getManifest(image.manifest.digest)).bytes).toEqual(image.manifest.bytes);
    }
    expect(await skopeo('inspect', '--raw', `oci:${base}/a:multi`)).toBe(new TextDecoder().decode(list.manifest.bytes));
  });

  it('Ferry reads layouts umoci makes byte-exact', { timeout: 60_000 }, async () => {
    const base = await tempDir();
    const layout = join(base, 'layout');
    await run('umoci', ['init', '--layout', layout]);
    await run('umoci', ['new', '--image', `${layout}:base`]);
    await run('umoci', ['unpack', '--rootless', '--image', `${layout}:base`, join(base, 'bundle')]);
    await writeFile(join(base, 'bundle', 'rootfs', 'hello.txt'), 'hello from umoci\n');
    await run('umoci', ['repack', '--image', `${layout}:edited`, join(base, 'bundle')]);
    await writeFile(join(base, 'extra.txt'), 'inserted\n');
    await run('umoci', ['insert', '--rootless', '--image', `${layout}:edited`, join(base, 'extra.txt'), '/extra.txt']);
    const bytes = await readAndVerify(`${layout}:edited`);
    const manifest = parseManifest(bytes);
    expect(manifest.kind === 'oci-manifest' && manifest.layers.length).toBe(2);
    await readAndVerify(`${layout}:base`);
  });

  it('Ferry reads layouts skopeo makes byte-exact, and skopeo keeps Ferry tags', { timeout: 60_000 }, async () => {
    const base = await tempDir();
    const image = makeTestImage({ salt: 'skopeo' });
    await writeTestImage(transport.parseReference(`${base}/src:t`), image);
    await skopeo('copy', `oci:${base}/src:t`, `dir:${base}/dir`);
    await skopeo('copy', `dir:${base}/dir`, `oci:${base}/dst:from-skopeo`);
    expect(await readAndVerify(`${base}/dst:from-skopeo`)).toEqual(image.manifest.bytes);
    await writeTestImage(transport.parseReference(`${base}/dst:from-ferry`), makeTestImage({ salt: 'x' }));
    await skopeo('copy', `oci:${base}/dst:from-ferry`, `dir:${base}/dir2`);
    await using layout = await openLayout(`${base}/dst`);
    expect(await layout.listReferences()).toEqual(['from-skopeo', 'from-ferry']);
  });
});
