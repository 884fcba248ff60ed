import { type ImageReference, isImageError, type ProgressEvent } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { copyImage, insecureAcceptAnythingPolicy } from './index.ts';
import { buildImage } from './test-support/fixtures.ts';
import { memoryWorld } from './test-support/memory-transport.ts';

const policy = insecureAcceptAnythingPolicy();

describe('copyImage: a single image', () => {
  it('copies byte for byte and reports skopeo lines', async () => {
    const world = memoryWorld({ traits: { supportsConcurrentBlobWrites: true } });
    const built = await buildImage(world.image('src'));
    const lines: string[] = [];
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'), { reportWriter: (l) => lines.push(l) });
    expect(result.digest).toBe(built.digest);
    expect(Buffer.from(result.manifest).equals(Buffer.from(built.manifest.bytes))).toBe(true);
    const dst = world.image('dst');
    expect(dst.top?.bytes).toEqual(built.manifest.bytes);
    for (const l of built.layers) expect(dst.blobs.get(l.digest)).toEqual(world.image('src').blobs.get(l.digest));
    expect(dst.blobs.get(built.configDigest)).toBeDefined();
    expect(world.stats.commits).toBe(1);
    expect(world.stats.openStreams).toBe(0);
    expect(lines[0]).toBe('Getting image source signatures');
    expect(lines.filter((l) => l.startsWith('Copying blob sha256:'))).toHaveLength(2);
    expect(lines).toContain(`Copying config ${built.configDigest}`);
    expect(lines.at(-1)).toBe('Writing manifest to image destination');
  });

  it('emits start, read, done per blob and the manifest last', async () => {
    const world = memoryWorld({ chunkSize: 500 });
    const built = await buildImage(world.image('src'), { layers: ['gzip'] });
    const events: ProgressEvent[] = [];
    await copyImage(policy, world.ref('dst'), world.ref('src'), {
      onProgress: (e) => events.push(e),
      progressInterval: 0,
    });
    const layer = events.filter((e) => e.type !== 'manifest' && e.artifact.digest === built.layers[0]?.digest);
    expect(layer[0]?.type).toBe('start');
    expect(layer.at(-1)).toMatchObject({ type: 'done', offset: built.layers[0]?.size });
    const reads = layer.filter((e) => e.type === 'read');
    expect(reads.length).toBeGreaterThan(1);
    expect(reads.reduce((n, e) => n + (e.type === 'read' ? e.delta : 0), 0)).toBe(built.layers[0]?.size);
    expect(events.at(-1)).toEqual({ type: 'manifest', digest: built.digest });
    const ids = new Set(events.flatMap((e) => (e.type === 'manifest' ? [] : [e.transferId])));
    expect(ids.size).toBe(2); // layer and config
  });

  it('reuses blobs the destination has without reading them', async () => {
    const world = memoryWorld();
    const built = await buildImage(world.image('src'));
    await copyImage(policy, world.ref('dst'), world.ref('src'));
    const before = world.stats.getBlobCalls.length;
    expect(before).toBe(3);
    const events: ProgressEvent[] = [];
    await copyImage(policy, world.ref('dst'), world.ref('src'), { onProgress: (e) => events.push(e) });
    expect(world.stats.getBlobCalls.length).toBe(before);
    expect(events.filter((e) => e.type === 'skipped')).toHaveLength(3);
    const hint = world.stats.reuseCalls.find((c) => c.info.digest === built.layers[1]?.digest)?.options;
    expect(hint).toMatchObject({ layerIndex: 1, canSubstitute: true });
    expect(hint?.sourceReference?.withinTransport).toBe('src');
  });

  it('rejects a corrupted source blob with ERR_DIGEST_MISMATCH and commits nothing', async () => {
    const world = memoryWorld({
      tamper: (d, bytes) => (d === target ? Uint8Array.from(bytes, (b, i) => (i === 100 ? b ^ 1 : b)) : bytes),
    });
    const built = await buildImage(world.image('src'), { layers: ['none', 'gzip'] });
    const target = built.layers[0]?.digest;
    const error = await copyImage(policy, world.ref('dst'), world.ref('src')).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_DIGEST_MISMATCH')).toBe(true);
    expect(world.stats.commits).toBe(0);
    expect(world.stats.disposedWithoutCommit).toBe(1);
    expect(world.images.get('dst')?.top).toBeUndefined();
    expect(world.stats.openStreams).toBe(0);
  });

  it('refuses a policy rejection before touching the destination', async () => {
    const world = memoryWorld();
    await buildImage(world.image('src'));
    const rejecting = {
      checkImageAllowed: async () => {
        throw new (await import('@ferry/types')).ImageError('ERR_POLICY_REJECTED', 'no');
      },
    };
    const error = await copyImage(rejecting, world.ref('dst'), world.ref('src')).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_POLICY_REJECTED')).toBe(true);
    expect(world.stats.putBlobCalls).toHaveLength(0);
    expect(world.stats.getBlobCalls).toHaveLength(0);
    expect(world.images.has('dst')).toBe(false);
  });

  it('rejects with signal.reason when aborted mid-copy, closing every stream', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const world = memoryWorld({
      chunkSize: 256,
      chunkDelay: 1,
      traits: { supportsConcurrentBlobWrites: true },
      onChunk: (_d, i) => {
        if (i === 5) controller.abort(reason);
      },
    });
    await buildImage(world.image('src'), { layers: ['gzip', 'none', 'zstd'] });
    const error = await copyImage(policy, world.ref('dst'), world.ref('src'), {
      signal: controller.signal,
      destinationCompression: { algorithm: 'zstd' },
    }).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(world.stats.commits).toBe(0);
    expect(world.stats.disposedWithoutCommit).toBe(1);
    expect(world.stats.openStreams).toBe(0);
  });

  it('works with a third-party destination through the public contract', async () => {
    const world = memoryWorld();
    const built = await buildImage(world.image('src'));
    const inner = world.ref('dst');
    const thirdParty: ImageReference = {
      ...inner,
      newImageDestination: async (o) => {
        const d = await inner.newImageDestination(o);
        // only public members, no brand: copy must adapt it
        return {
          reference: d.reference,
          traits: {},
          putBlob: (s, i, opts) => d.putBlob(s, i, opts),
          putManifest: (m, opts) => d.putManifest(m, opts),
          commit: (opts) => d.commit(opts),
          [Symbol.asyncDispose]: () => d[Symbol.asyncDispose](),
        };
      },
    };
    const result = await copyImage(policy, thirdParty, world.ref('src'));
    expect(result.digest).toBe(built.digest);
    expect(world.image('dst').top?.bytes).toEqual(built.manifest.bytes);
    expect(world.stats.reuseCalls).toHaveLength(0);
  });
});
