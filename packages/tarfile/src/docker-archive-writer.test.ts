import { join } from 'node:path';
import { parseNormalizedNamed } from '@ferry/reference';
import { indexTarFile } from '@ferry/tar';
import { digestOf } from '@ferry/testkit';
import { digestHex, isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport, openDockerArchive, openDockerArchiveWriter } from './index.ts';
import { expectSourceServes, memberNames, memberText, putAll } from './test-support/archive-helpers.ts';
import { tempDir } from './test-support/temp-dir.ts';
import { makeV2s2Image } from './test-support/v2s2-image.ts';

const transport = dockerArchiveTransport();

describe('DockerArchiveWriter', () => {
  it('writes several images into one archive, sharing layers, readable by tag and index', async () => {
    const path = join(await tempDir(), 'two.tar');
    const a = makeV2s2Image('a');
    const b = makeV2s2Image('b');
    // b shares a's base layer
    const shared = makeV2s2ImageWithBase(a, b);
    {
      await using writer = await openDockerArchiveWriter(path);
      for (const [image, name] of [
        [a, 'example.com/a:1'],
        [shared, 'busybox:2'],
      ] as const) {
        await using dest = await writer.newReference(parseNormalizedNamed(name)).newImageDestination();
        await putAll(dest, image, true);
        await dest.commit();
      }
      await writer.commit();
    }
    const names = await memberNames(path);
    const layerName = `${digestHex(a.layers[0]?.digest ?? ('' as never))}.tar`;
    expect(names.filter((n) => n === layerName)).toHaveLength(1);
    expect(names.slice(-2)).toEqual(['manifest.json', 'repositories']);

    const manifest = JSON.parse(await memberText(path, 'manifest.json'));
    expect(manifest).toEqual([
      {
        Config: `${digestHex(a.config.digest)}.json`,
        RepoTags: ['example.com/a:1'],
        Layers: a.layers.map((l) => `${digestHex(l.digest)}.tar`),
      },
      {
        Config: `${digestHex(shared.config.digest)}.json`,
        RepoTags: ['docker.io/library/busybox:2'],
        Layers: shared.layers.map((l) => `${digestHex(l.digest)}.tar`),
      },
    ]);
    const repositories = JSON.parse(await memberText(path, 'repositories'));
    expect(Object.keys(repositories)).toEqual(['docker.io/library/busybox', 'example.com/a']);
    const top = repositories['example.com/a']['1'] as string;
    expect(await memberText(path, `${top}/VERSION`)).toBe('1.0');
    const topJson = JSON.parse(await memberText(path, `${top}/json`));
    expect(topJson).toMatchObject({ id: top, os: 'linux', architecture: 'amd64' });
    expect(typeof topJson.parent).toBe('string');
    await using archive = await indexTarFile(path);
    expect(archive.get(`${top}/layer.tar`)?.linkName).toBe(`../${digestHex(a.layers[1]?.digest ?? ('' as never))}.tar`);

    for (const [text, image] of [
      [`${path}:example.com/a:1`, a],
      [`${path}:busybox:2`, shared],
      [`${path}:@0`, a],
      [`${path}:@1`, shared],
    ] as const) {
      await using source = await transport.parseReference(text).newImageSource();
      await expectSourceServes(source, image);
    }
    await expect(transport.parseReference(path).newImageSource()).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_INVALID_IMAGE'),
    );
    await expect(transport.parseReference(`${path}:@2`).newImageSource()).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_MANIFEST_UNKNOWN'),
    );
    await expect(transport.parseReference(`${path}:other:1`).newImageSource()).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_MANIFEST_UNKNOWN'),
    );
    await using reader = await openDockerArchive(path);
    expect(reader.items.map((i) => i.RepoTags)).toEqual([['example.com/a:1'], ['docker.io/library/busybox:2']]);
    await using second = reader.newImageSource({ sourceIndex: 1 });
    await expectSourceServes(second, shared);
    expect(second.reference.withinTransport).toBe(`${path}:@1`);
  });

  it('merges tags of the same image and writes nothing without images', async () => {
    const dir = await tempDir();
    const path = join(dir, 'one.tar');
    const image = makeV2s2Image('same');
    {
      await using writer = await openDockerArchiveWriter(path);
      for (const name of ['x:1', 'x:2']) {
        await using dest = writer.newDestination(parseNormalizedNamed(name));
        await putAll(dest, image);
        await dest.commit();
      }
      await writer.commit();
      await expect(writer.commit()).rejects.toSatisfy((e) => isImageError(e, 'ERR_INVALID_ARGUMENT'));
    }
    expect(JSON.parse(await memberText(path, 'manifest.json'))[0].RepoTags).toEqual([
      'docker.io/library/x:1',
      'docker.io/library/x:2',
    ]);
    const empty = join(dir, 'empty.tar');
    {
      await using writer = await openDockerArchiveWriter(empty);
      await writer.commit();
    }
    await expect(memberNames(empty)).rejects.toBeDefined();
  });
});

function makeV2s2ImageWithBase(
  base: ReturnType<typeof makeV2s2Image>,
  top: ReturnType<typeof makeV2s2Image>,
): ReturnType<typeof makeV2s2Image> {
  const layers = [base.layers[0], top.layers[1]].filter((l) => l !== undefined);
  const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
  const configJson = JSON.parse(new TextDecoder().decode(top.config.bytes));
  configJson.rootfs.diff_ids = layers.map((l) => l.digest);
  const configBytes = enc(configJson);
  const config = { ...top.config, bytes: configBytes, size: configBytes.byteLength, digest: digestOf(configBytes) };
  const d = (b: { mediaType: string; size: number; digest: string }): object => ({
    mediaType: b.mediaType,
    size: b.size,
    digest: b.digest,
  });
  const bytes = enc({ schemaVersion: 2, mediaType: top.manifest.mediaType, config: d(config), layers: layers.map(d) });
  return {
    config,
    layers,
    blobs: [config, ...layers],
    manifest: { bytes, mediaType: top.manifest.mediaType, digest: digestOf(bytes) },
  };
}
