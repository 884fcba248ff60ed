import { digestBytes } from '@ferry/blob';
import { parseImageConfig, parseManifest } from '@ferry/manifest';
import { type Digest, isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { type CopyOptions, copyImage, insecureAcceptAnythingPolicy } from './index.ts';
import { buildImage, type Compression, decompress } from './test-support/fixtures.ts';
import { type MemoryOptions, memoryWorld } from './test-support/memory-transport.ts';

const policy = insecureAcceptAnythingPolicy();

async function copyAndCheck(layers: readonly Compression[], options: CopyOptions, world = memoryWorld()) {
  const built = await buildImage(world.image('src'), { layers });
  const result = await copyImage(policy, world.ref('dst'), world.ref('src'), options);
  const written = parseManifest(result.manifest, result.mediaType);
  if (written.kind !== 'oci-manifest') throw new Error(`unexpected ${written.kind}`);
  expect(written.config.digest).toBe(built.configDigest);
  const dst = world.image('dst');
  const config = parseImageConfig(dst.blobs.get(written.config.digest) ?? new Uint8Array());
  const stored: { mediaType: string; compression: Compression }[] = [];
  for (const [i, layer] of written.layers.entries()) {
    const bytes = dst.blobs.get(layer.digest);
    if (bytes === undefined) throw new Error(`layer ${layer.digest} missing`);
    expect(digestBytes(bytes)).toBe(layer.digest);
    expect(bytes.byteLength).toBe(layer.size);
    const compression: Compression = layer.mediaType.endsWith('+gzip')
      ? 'gzip'
      : layer.mediaType.endsWith('+zstd')
        ? 'zstd'
        : 'none';
    expect(digestBytes(await decompress(bytes, compression))).toBe(config.diffIds[i] as Digest);
    stored.push({ mediaType: layer.mediaType, compression });
  }
  return { built, result, stored, world };
}

describe('copyImage: layer compression', () => {
  it('recompresses gzip to zstd and compresses plain layers, diff_ids unchanged', async () => {
    const { stored } = await copyAndCheck(['gzip', 'none', 'zstd'], {
      destinationCompression: { algorithm: 'zstd', level: 5 },
    });
    expect(stored.map((s) => s.compression)).toEqual(['zstd', 'zstd', 'zstd']);
  });

  it('compresses only uncompressed layers with gzip', async () => {
    const { stored, built, world } = await copyAndCheck(['none', 'zstd'], {
      destinationCompression: { algorithm: 'gzip' },
    });
    expect(stored.map((s) => s.compression)).toEqual(['gzip', 'gzip']);
    expect(world.image('dst').blobs.has(built.layers[0]?.digest as Digest)).toBe(false);
  });

  it('stores layers uncompressed with decompress', async () => {
    const { stored } = await copyAndCheck(['gzip', 'zstd', 'none'], { decompress: true });
    expect(stored.map((s) => s.mediaType)).toEqual([
      'application/vnd.oci.image.layer.v1.tar',
      'application/vnd.oci.image.layer.v1.tar',
      'application/vnd.oci.image.layer.v1.tar',
    ]);
  });

  it('follows a destination that wants compressed layers, keeping compressed ones', async () => {
    const world = memoryWorld({ traits: { desiredLayerCompression: 'compress' } });
    const { stored } = await copyAndCheck(['none', 'zstd'], {}, world);
    expect(stored.map((s) => s.compression)).toEqual(['gzip', 'zstd']);
  });

  it('chooses OCI for zstd when the source is Docker v2s2', async () => {
    const world = memoryWorld();
    await buildImage(world.image('src'), { format: 'docker', layers: ['gzip'] });
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'), {
      destinationCompression: { algorithm: 'zstd' },
    });
    expect(result.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const forced = await copyImage(policy, world.ref('x'), world.ref('src'), {
      destinationCompression: { algorithm: 'zstd' },
      forceManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    }).catch((e: unknown) => e);
    expect(isImageError(forced, 'ERR_MANIFEST_CONVERSION')).toBe(true);
  });

  it('refuses a compression change under preserveDigests before writing', async () => {
    const world = memoryWorld();
    await buildImage(world.image('src'), { layers: ['gzip'] });
    const error = await copyImage(policy, world.ref('dst'), world.ref('src'), {
      preserveDigests: true,
      destinationCompression: { algorithm: 'zstd' },
    }).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(world.stats.putBlobCalls).toHaveLength(0);
  });

  it('does not reuse the original blob when another compression is demanded', async () => {
    const world = memoryWorld();
    const built = await buildImage(world.image('src'), { layers: ['gzip'] });
    // the destination already has the gzip layer
    const gz = world.image('src').blobs.get(built.layers[0]?.digest as Digest) as Uint8Array;
    world.image('dst').blobs.set(built.layers[0]?.digest as Digest, gz);
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'), {
      destinationCompression: { algorithm: 'zstd' },
    });
    const written = parseManifest(result.manifest, result.mediaType);
    if (written.kind !== 'oci-manifest') throw new Error('kind');
    expect(written.layers[0]?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    const hint = world.stats.reuseCalls.find((c) => c.info.digest === built.layers[0]?.digest)?.options;
    expect(hint?.requiredCompression).toBe('zstd');
  });
});

describe('copyImage: manifest types', () => {
  const dockerOnly: MemoryOptions = {
    traits: { supportedManifestMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json'] },
  };

  it('converts OCI to v2s2 when the destination accepts only v2s2', async () => {
    const world = memoryWorld(dockerOnly);
    const built = await buildImage(world.image('src'));
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'));
    expect(result.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const written = parseManifest(result.manifest, result.mediaType);
    if (written.kind !== 'docker-schema2') throw new Error('kind');
    expect(written.layers.map((l) => l.digest)).toEqual(built.layers.map((l) => l.digest));
  });

  it('falls back to the next type when the destination rejects one', async () => {
    const world = memoryWorld({ rejectTypes: ['application/vnd.oci.image.manifest.v1+json'] });
    await buildImage(world.image('src'));
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'));
    expect(result.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(world.stats.putManifestCalls.map((c) => c.mediaType)).toEqual([
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ]);
  });

  it('writes the forced type', async () => {
    const world = memoryWorld();
    await buildImage(world.image('src'), { format: 'docker' });
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'), {
      forceManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect(result.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(parseManifest(result.manifest).kind).toBe('oci-manifest');
  });

  it('refuses a conversion under preserveDigests before writing', async () => {
    const world = memoryWorld(dockerOnly);
    await buildImage(world.image('src'));
    const error = await copyImage(policy, world.ref('dst'), world.ref('src'), { preserveDigests: true }).catch(
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_MANIFEST_CONVERSION')).toBe(true);
    expect(world.stats.putBlobCalls).toHaveLength(0);
  });
});
