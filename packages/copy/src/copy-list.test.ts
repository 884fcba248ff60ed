import { parseManifest } from '@ferry/manifest';
import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { copyImage, createSemaphore, insecureAcceptAnythingPolicy } from './index.ts';
import { buildList } from './test-support/fixtures.ts';
import { memoryWorld } from './test-support/memory-transport.ts';

const policy = insecureAcceptAnythingPolicy();
const LIST_TRAITS = { supportsManifestLists: true, supportsConcurrentBlobWrites: true };
const PLATFORMS = [{ architecture: 'amd64' }, { architecture: 'arm64', variant: 'v8' }, { architecture: 'ppc64le' }];

describe('copyImage: lists', () => {
  it('copies all instances and keeps the original list bytes', async () => {
    const world = memoryWorld({ traits: LIST_TRAITS });
    const list = await buildList(world.image('src'), 'oci', PLATFORMS);
    const lines: string[] = [];
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'), {
      imageListSelection: 'all',
      reportWriter: (l) => lines.push(l),
    });
    expect(result.digest).toBe(list.digest);
    expect(world.image('dst').top?.bytes).toBe(list.manifest.bytes);
    expect([...world.image('dst').instances.keys()].sort()).toEqual(list.instances.map((i) => i.digest).sort());
    expect(lines).toContain('Copying 3 images generated from 3 images in list');
    expect(world.stats.putManifestCalls.at(-1)).toEqual({ mediaType: list.manifest.mediaType, instance: undefined });
  });

  it('copies chosen instances and chosen platforms, still naming every instance', async () => {
    const world = memoryWorld({ traits: LIST_TRAITS });
    const list = await buildList(world.image('src'), 'docker', PLATFORMS);
    const wanted = list.instances[1]?.digest;
    if (wanted === undefined) throw new Error('fixture');
    const r1 = await copyImage(policy, world.ref('a'), world.ref('src'), {
      imageListSelection: { instances: [wanted] },
    });
    expect([...world.image('a').instances.keys()]).toEqual([wanted]);
    expect(r1.digest).toBe(list.digest);
    await copyImage(policy, world.ref('b'), world.ref('src'), {
      imageListSelection: { platforms: [{ architecture: 'ppc64le' }, { os: 'linux', architecture: 'aarch64' }] },
    });
    expect([...world.image('b').instances.keys()].sort()).toEqual(
      [list.instances[1]?.digest, list.instances[2]?.digest].sort(),
    );
    const missing = await copyImage(policy, world.ref('c'), world.ref('src'), {
      imageListSelection: { platforms: [{ architecture: 's390x' }] },
    }).catch((e: unknown) => e);
    expect(isImageError(missing, 'ERR_NO_MATCHING_PLATFORM')).toBe(true);
  });

  it('copies only the system instance as a single image under "system"', async () => {
    const world = memoryWorld();
    const list = await buildList(world.image('src'), 'oci', PLATFORMS);
    const checks: (string | undefined)[] = [];
    const tracking = { checkImageAllowed: async (i: { instance?: string }) => void checks.push(i.instance) };
    const result = await copyImage(tracking, world.ref('dst'), world.ref('src'), {
      sourceOptions: { platform: { os: 'linux', architecture: 'arm64' } },
    });
    expect(result.digest).toBe(list.instances[1]?.digest);
    expect(world.image('dst').top?.bytes).toEqual(list.instances[1]?.manifest.bytes);
    expect(world.image('dst').instances.size).toBe(0);
    expect(checks).toEqual([undefined, list.instances[1]?.digest]);
  });

  it('copies just the list bytes with index-only', async () => {
    const world = memoryWorld({ traits: LIST_TRAITS });
    const list = await buildList(world.image('src'), 'oci', PLATFORMS);
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'), { imageListSelection: 'index-only' });
    expect(result.digest).toBe(list.digest);
    expect(world.stats.getBlobCalls).toHaveLength(0);
    expect(world.image('dst').instances.size).toBe(0);
  });

  it('refuses several images for a destination without lists', async () => {
    const world = memoryWorld();
    await buildList(world.image('src'), 'oci', PLATFORMS);
    const error = await copyImage(policy, world.ref('dst'), world.ref('src'), { imageListSelection: 'all' }).catch(
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(world.stats.putBlobCalls).toHaveLength(0);
  });

  it('updates the list when instances are converted, and converts the list type', async () => {
    const world = memoryWorld({
      traits: {
        ...LIST_TRAITS,
        supportedManifestMediaTypes: [
          'application/vnd.docker.distribution.manifest.v2+json',
          'application/vnd.docker.distribution.manifest.list.v2+json',
        ],
      },
    });
    const list = await buildList(world.image('src'), 'oci', PLATFORMS);
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'), { imageListSelection: 'all' });
    expect(result.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(result.digest).not.toBe(list.digest);
    const written = parseManifest(result.manifest, result.mediaType);
    if (written.kind !== 'docker-manifest-list') throw new Error('not a list');
    for (const entry of written.manifests) {
      expect(entry.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
      const stored = world.image('dst').instances.get(entry.digest);
      expect(stored?.bytes.byteLength).toBe(entry.size);
    }
  });

  it('refuses to change a list under preserveDigests', async () => {
    const world = memoryWorld({
      traits: {
        ...LIST_TRAITS,
        supportedManifestMediaTypes: ['application/vnd.docker.distribution.manifest.list.v2+json'],
      },
    });
    await buildList(world.image('src'), 'oci', PLATFORMS);
    const error = await copyImage(policy, world.ref('dst'), world.ref('src'), {
      imageListSelection: 'all',
      preserveDigests: true,
    }).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_MANIFEST_CONVERSION')).toBe(true);
    expect(world.stats.putBlobCalls).toHaveLength(0);
  });

  it('shares one semaphore across instances and copies', async () => {
    const world = memoryWorld({ traits: LIST_TRAITS, chunkDelay: 1, chunkSize: 4096 });
    await buildList(
      world.image('src'),
      'oci',
      PLATFORMS.map((p) => ({ ...p, layers: ['gzip', 'none', 'gzip', 'none'] as const })),
    );
    const semaphore = createSemaphore(2);
    await Promise.all([
      copyImage(policy, world.ref('a'), world.ref('src'), { imageListSelection: 'all', semaphore }),
      copyImage(policy, world.ref('b'), world.ref('src'), { imageListSelection: 'all', semaphore }),
    ]);
    expect(world.stats.maxConcurrentPuts).toBe(2);
    expect(world.stats.commits).toBe(2);
  });
});
