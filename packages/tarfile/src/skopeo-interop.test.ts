import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { verifyStream } from '@ferry/blob';
import { parseNormalizedNamed } from '@ferry/reference';
import { digestOf, makeTestImage } from '@ferry/testkit';
import type { Digest, ImageSource } from '@ferry/types';
import { digestHex } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport, openDockerArchiveWriter } from './index.ts';
import { putAll, writeImage } from './test-support/archive-helpers.ts';
import { writeOciLayout } from './test-support/oci-layout.ts';
import { skopeo } from './test-support/run-tool.ts';
import { tempDir } from './test-support/temp-dir.ts';
import { makeV2s2Image } from './test-support/v2s2-image.ts';

const transport = dockerArchiveTransport();

/** Reads the image's manifest through Ferry and verifies every blob it names; returns the parsed manifest. */
async function verifyAll(
  source: ImageSource,
): Promise<{ config: { digest: Digest }; layers: { digest: Digest; mediaType: string }[] }> {
  const manifest = JSON.parse(new TextDecoder().decode((await source.getManifest()).bytes));
  for (const blob of [manifest.config, ...manifest.layers]) {
    const { stream, size } = await source.getBlob({ digest: blob.digest });
    expect(size).toBe(blob.size);
    const verified = verifyStream(stream, { digest: blob.digest, size: blob.size });
    for await (const _ of verified) {
      // verification happens as the bytes pass
    }
    expect(verified.result?.digest).toBe(blob.digest);
  }
  return manifest;
}

describe('skopeo judges docker archives', () => {
  it('Ferry reads an archive skopeo writes from an OCI layout, every blob verified', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    const image = makeTestImage({ salt: 'skopeo-writes' });
    await writeOciLayout(join(dir, 'oci'), image, 'v1');
    const archive = join(dir, 'a.tar');
    await skopeo('copy', `oci:${join(dir, 'oci')}:v1`, `docker-archive:${archive}:ferry/test:v1`);
    await using source = await transport.parseReference(`${archive}:ferry/test:v1`).newImageSource();
    const manifest = await verifyAll(source);
    expect(manifest.config.digest).toBe(image.config.digest);
    const diffIds = image.layers.map((l) => digestOf(gunzipSync(l.bytes)));
    expect(manifest.layers.map((l) => l.digest)).toEqual(diffIds);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(
      diffIds.map(() => 'application/vnd.docker.image.rootfs.diff.tar'),
    );
  });

  it('skopeo reads an archive Ferry writes, with the same diff_ids', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    const archive = join(dir, 'a.tar');
    const image = makeV2s2Image('ferry-writes', 3);
    await writeImage(transport.parseReference(`${archive}:ferry/test:v1`), image);
    const inspected = JSON.parse(await skopeo('inspect', `docker-archive:${archive}`));
    expect(inspected.Layers).toEqual(image.layers.map((l) => l.digest));
    // skopeo synthesizes its own manifest (other media types), so only the blobs are compared
    const config = JSON.parse(await skopeo('inspect', '--config', `docker-archive:${archive}:ferry/test:v1`));
    expect(config.rootfs.diff_ids).toEqual(image.layers.map((l) => l.digest));
    await skopeo('copy', `docker-archive:${archive}`, `oci:${join(dir, 'oci')}:v1`);
    const index = JSON.parse(await readFile(join(dir, 'oci', 'index.json'), 'utf8'));
    const ociManifest = JSON.parse(
      await readFile(join(dir, 'oci', 'blobs', 'sha256', digestHex(index.manifests[0].digest)), 'utf8'),
    );
    // converting to OCI, skopeo re-serializes the config; the diff_ids stay
    const ociConfig = JSON.parse(
      await readFile(join(dir, 'oci', 'blobs', 'sha256', digestHex(ociManifest.config.digest)), 'utf8'),
    );
    expect(ociConfig.rootfs.diff_ids).toEqual(image.layers.map((l) => l.digest));
    for (const [i, layer] of (ociManifest.layers as { digest: Digest }[]).entries()) {
      const bytes = await readFile(join(dir, 'oci', 'blobs', 'sha256', digestHex(layer.digest)));
      expect(digestOf(bytes)).toBe(layer.digest);
      expect(digestOf(gunzipSync(bytes))).toBe(image.layers[i]?.digest);
    }
  });

  it('skopeo reads each image of a multi-image archive by tag and by index', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    const archive = join(dir, 'two.tar');
    const images = [makeV2s2Image('first'), makeV2s2Image('second', 3)];
    {
      await using writer = await openDockerArchiveWriter(archive);
      for (const [i, image] of images.entries()) {
        await using dest = writer.newDestination(parseNormalizedNamed(`example.com/img${i}:t${i}`));
        await putAll(dest, image, true);
        await dest.commit();
      }
      await writer.commit();
    }
    for (const [i, image] of images.entries()) {
      for (const ref of [`docker-archive:${archive}:example.com/img${i}:t${i}`, `docker-archive:${archive}:@${i}`]) {
        const inspected = JSON.parse(await skopeo('inspect', ref));
        expect(inspected.Layers).toEqual(image.layers.map((l) => l.digest));
        expect(inspected.RepoTags).toBeDefined();
      }
    }
    await skopeo('copy', `docker-archive:${archive}:@1`, `dir:${join(dir, 'dir')}`);
    const copied = JSON.parse(await readFile(join(dir, 'dir', 'manifest.json'), 'utf8'));
    expect(copied.config.digest).toBe(images[1]?.config.digest);
    expect(copied.layers.map((l: { digest: string }) => l.digest)).toEqual(images[1]?.layers.map((l) => l.digest));
  });
});
