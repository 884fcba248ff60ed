import { isImageError, type Signature } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { copyImage, insecureAcceptAnythingPolicy } from './index.ts';
import { buildImage, buildList } from './test-support/fixtures.ts';
import { memoryWorld } from './test-support/memory-transport.ts';

const policy = insecureAcceptAnythingPolicy();
const SIG: Signature = { kind: 'simple-signing', bytes: new Uint8Array([1, 2, 3]) };
const FIVE = ['gzip', 'none', 'gzip', 'none', 'gzip'] as const;

describe('copyImage: concurrency', () => {
  it('keeps simultaneous putBlob calls within maxParallelBlobs', async () => {
    const world = memoryWorld({ traits: { supportsConcurrentBlobWrites: true }, chunkDelay: 1, chunkSize: 2048 });
    await buildImage(world.image('src'), { layers: FIVE });
    await copyImage(policy, world.ref('dst'), world.ref('src'), { maxParallelBlobs: 3 });
    expect(world.stats.maxConcurrentPuts).toBe(3);
  });

  it('serialises blob writes when the destination cannot take them concurrently', async () => {
    const world = memoryWorld({ chunkDelay: 1, chunkSize: 4096 });
    await buildImage(world.image('src'), { layers: FIVE });
    await copyImage(policy, world.ref('dst'), world.ref('src'));
    expect(world.stats.maxConcurrentPuts).toBe(1);
    expect(world.stats.putBlobCalls).toHaveLength(6);
  });

  it('refuses a bad maxParallelBlobs', async () => {
    const world = memoryWorld();
    const error = await copyImage(policy, world.ref('dst'), world.ref('src'), { maxParallelBlobs: 0 }).catch(
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('copyImage: signatures', () => {
  it('fails before any write when the destination cannot store them', async () => {
    const world = memoryWorld();
    await buildImage(world.image('src'));
    world.image('src').signatures.set('', [SIG]);
    const error = await copyImage(policy, world.ref('dst'), world.ref('src')).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_NOT_IMPLEMENTED')).toBe(true);
    expect(world.stats.putBlobCalls).toHaveLength(0);
    expect(world.stats.putManifestCalls).toHaveLength(0);
    const removed = await copyImage(policy, world.ref('dst'), world.ref('src'), { removeSignatures: true });
    expect(removed.digest).toBeDefined();
    expect(world.stats.putSignatureCalls).toBe(0);
  });

  it('copies them for the image and each list instance', async () => {
    const world = memoryWorld({ traits: { supportedSignatureKinds: ['simple-signing'], supportsManifestLists: true } });
    const list = await buildList(world.image('src'), 'oci', [{ architecture: 'amd64' }, { architecture: 'arm64' }]);
    const first = list.instances[0]?.digest ?? '';
    world.image('src').signatures.set(first, [SIG]);
    world.image('src').signatures.set('', [SIG]);
    const lines: string[] = [];
    await copyImage(policy, world.ref('dst'), world.ref('src'), {
      imageListSelection: 'all',
      reportWriter: (l) => lines.push(l),
    });
    expect(world.image('dst').signatures.get(first)).toEqual([SIG]);
    expect(world.image('dst').signatures.get('')).toEqual([SIG]);
    expect(lines).toContain('Storing signatures');
    expect(lines).toContain('Storing list signatures');
  });
});

describe('copyImage: shortcuts', () => {
  it('skips an image already at the destination with optimizeDestinationImageAlreadyExists', async () => {
    const world = memoryWorld();
    const built = await buildImage(world.image('src'));
    await copyImage(policy, world.ref('dst'), world.ref('src'));
    const calls = world.stats.reuseCalls.length;
    const lines: string[] = [];
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'), {
      optimizeDestinationImageAlreadyExists: true,
      reportWriter: (l) => lines.push(l),
    });
    expect(result.digest).toBe(built.digest);
    expect(lines).toContain('Skipping: image already present at destination');
    expect(world.stats.reuseCalls.length).toBe(calls);
    // nothing was written, so nothing is committed (a commit would replace the image with an empty write)
    expect(world.stats.commits).toBe(1);
  });

  it('keeps foreign layers by URL when the destination accepts them', async () => {
    const world = memoryWorld({ traits: { acceptsForeignLayerURLs: true } });
    const built = await buildImage(world.image('src'), { layers: ['gzip'] });
    const top = world.image('src').top;
    if (top === undefined) throw new Error('fixture');
    const doc = JSON.parse(new TextDecoder().decode(top.bytes));
    doc.layers[0].urls = ['https://example.invalid/layer'];
    doc.layers[0].mediaType = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
    world.image('src').top = { bytes: new TextEncoder().encode(JSON.stringify(doc)), mediaType: top.mediaType };
    await copyImage(policy, world.ref('dst'), world.ref('src'));
    expect(world.stats.getBlobCalls).not.toContain(built.layers[0]?.digest);
    await copyImage(policy, world.ref('dst2'), world.ref('src'), { downloadForeignLayers: true });
    expect(world.stats.getBlobCalls).toContain(built.layers[0]?.digest);
  });
});
