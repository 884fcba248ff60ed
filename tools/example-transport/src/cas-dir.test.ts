import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  collectBytes,
  describeTransportConformance,
  expectImage,
  makeTestImage,
  streamOf,
  withSource,
  writeTestImage,
} from '@ferry/testkit';
import { createTransportRegistry, isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { type CasDirReference, casDirTransport } from './index.ts';

const transport = casDirTransport();
const newStore = (): Promise<string> => mkdtemp(join(tmpdir(), 'cas-dir-'));

// the whole conformance suite in three lines: a fresh store per check
describeTransportConformance('cas-dir', {
  transport,
  newWritableReference: async () => transport.parseReference(`${await newStore()}:image`),
});

describe('cas-dir references', () => {
  it('parses PATH[:NAME], resolving the path and defaulting the name', () => {
    const ref = transport.parseReference('relative/store') as CasDirReference;
    expect(ref.root).toBe(resolve('relative/store'));
    expect(ref.name).toBe('latest');
    expect(ref.withinTransport).toBe(`${resolve('relative/store')}:latest`);
    expect((transport.parseReference('/srv/x:web') as CasDirReference).name).toBe('web');
    expect(ref.policyNamespaces.at(-1)).toBe('/');
  });

  it('refuses an empty path or a bad name', () => {
    for (const text of ['', ':web', '/srv/x:Web', '/srv/x:-web', '/srv/x:']) {
      expect(() => transport.parseReference(text), text).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_REFERENCE' }),
      );
    }
  });

  it('plugs into a transport registry', () => {
    const registry = createTransportRegistry([casDirTransport()]);
    expect(registry.parse('cas-dir:/srv/images:web').withinTransport).toBe('/srv/images:web');
  });
});

describe('cas-dir store', () => {
  it('keeps several images in one store, sharing blobs by content', async () => {
    const root = await newStore();
    const a = makeTestImage({ salt: '-a' });
    await writeTestImage(transport.parseReference(`${root}:a`), a);
    await writeTestImage(transport.parseReference(`${root}:b`), makeTestImage({ salt: '-b' }));
    await writeTestImage(transport.parseReference(`${root}:a2`), a);
    await expectImage(transport.parseReference(`${root}:a`), a);
    await expectImage(transport.parseReference(`${root}:a2`), a);
    const index = JSON.parse(await readFile(join(root, 'index.json'), 'utf8'));
    expect(Object.keys(index.images).sort()).toEqual(['a', 'a2', 'b']);
    expect(index.images.a.manifest).toEqual({ digest: a.manifest.digest, mediaType: a.manifest.mediaType });
    // image a: 3 blobs + manifest; b: 3 + 1; a2 adds nothing
    expect(await readdir(join(root, 'blobs', 'sha256'))).toHaveLength(8);
    // every destination removed its staging directory
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('does not treat Object.prototype names as images', async () => {
    const root = await newStore();
    await writeTestImage(transport.parseReference(`${root}:a`), makeTestImage());
    await expect(withSource(transport.parseReference(`${root}:constructor`), async () => {})).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_MANIFEST_UNKNOWN'),
    );
  });

  it('refuses a manifest whose bytes do not match its instance digest', async () => {
    const ref = transport.parseReference(`${await newStore()}:x`);
    const [one, two] = [makeTestImage({ salt: '1' }), makeTestImage({ salt: '2' })];
    await using dest = await ref.newImageDestination();
    await expect(dest.putManifest(one.manifest, { instance: two.manifest.digest })).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_DIGEST_MISMATCH'),
    );
    await expect(dest.commit()).rejects.toSatisfy((e) => isImageError(e, 'ERR_INVALID_IMAGE'));
  });

  it('stops a blob read when its signal aborts, with the signal reason', async () => {
    const ref = transport.parseReference(`${await newStore()}:x`);
    const image = makeTestImage();
    await writeTestImage(ref, image);
    const [layer] = image.layers;
    if (layer === undefined) throw new Error('no layer');
    const controller = new AbortController();
    const reason = new Error('enough');
    await withSource(ref, async (source) => {
      const { stream } = await source.getBlob(layer, { signal: controller.signal });
      controller.abort(reason);
      await expect(collectBytes(stream)).rejects.toBe(reason);
      await expect(source.getManifest(undefined, { signal: controller.signal })).rejects.toBe(reason);
    });
  });

  it('reuses a blob already in the store from a new destination', async () => {
    const root = await newStore();
    const image = makeTestImage();
    await writeTestImage(transport.parseReference(`${root}:one`), image);
    const [config] = image.blobs;
    if (config === undefined) throw new Error('no config');
    await using dest = await transport.parseReference(`${root}:two`).newImageDestination();
    expect(await dest.tryReusingBlob?.({ digest: config.digest })).toEqual({
      digest: config.digest,
      size: config.size,
    });
    expect(await dest.tryReusingBlob?.({ digest: config.digest, size: config.size + 1 })).toBeUndefined();
    expect(await dest.putBlob(streamOf(config.bytes, 7), {})).toEqual({ digest: config.digest, size: config.size });
  });
});
