import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { collectBytes, digestOf } from '@ferry/testkit';
import type { Digest } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport } from './index.ts';
import { memberNames } from './test-support/archive-helpers.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = dockerArchiveTransport();

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Yields `bytes` in random chunks with random pauses, failing after `failAt` bytes when given. */
async function* jittery(bytes: Uint8Array, next: () => number, failAt?: number): AsyncGenerator<Uint8Array> {
  let at = 0;
  while (at < bytes.byteLength) {
    const n = Math.max(1, Math.floor(next() * 1.5 * 1024 * 1024));
    if (failAt !== undefined && at + n > failAt) throw new ImageError('ERR_IO', 'injected failure');
    yield bytes.slice(at, at + n);
    at += n;
    if (next() < 0.5) await sleep(Math.floor(next() * 4));
  }
}

describe('layers assembled into the archive while they arrive', () => {
  it.each([1, 2, 3])(
    'concurrent layers of random sizes, failures and duplicates end up whole (seed %i)',
    { timeout: 60_000 },
    async (seed) => {
      const next = random(seed);
      const layers = Array.from({ length: 12 }, (_, i) => {
        const bytes = new Uint8Array(Math.floor(next() * 5 * 1024 * 1024)).map((_, j) => (j * (i + 3)) & 0xff);
        return { bytes, digest: digestOf(bytes), fails: next() < 0.25 };
      });
      const duplicated = layers.filter((l) => !l.fails).slice(0, 2);
      const path = join(await tempDir(), 'a.tar');
      const ok: Digest[] = [];
      {
        await using dest = await transport.parseReference(path).newImageDestination();
        const puts = [...layers, ...duplicated.map((l) => ({ ...l, fails: false }))].map(async (layer) => {
          const failAt = layer.fails ? Math.floor(next() * layer.bytes.byteLength) : undefined;
          try {
            const stored = await dest.putBlob(jittery(layer.bytes, next, failAt), {});
            expect(stored.digest).toBe(layer.digest);
            ok.push(stored.digest);
          } catch (error) {
            expect(layer.fails).toBe(true);
            expect((error as Error).message).toBe('injected failure');
          }
        });
        await Promise.all(puts);
        const unique = [...new Set(ok)];
        const config = new TextEncoder().encode(
          JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: unique } }),
        );
        const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}` as Digest;
        await dest.putBlob(
          (async function* () {
            yield config;
          })(),
          { digest: configDigest },
          { isConfig: true },
        );
        const sizes = new Map(layers.map((l) => [l.digest, l.bytes.byteLength]));
        const manifest = {
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          config: {
            mediaType: 'application/vnd.docker.container.image.v1+json',
            size: config.byteLength,
            digest: configDigest,
          },
          layers: unique.map((d) => ({
            mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
            size: sizes.get(d),
            digest: d,
          })),
        };
        const bytes = new TextEncoder().encode(JSON.stringify(manifest));
        await dest.putManifest({ bytes, mediaType: manifest.mediaType });
        await dest.commit();
        ok.splice(0, ok.length, ...unique);
      }
      const names = await memberNames(path);
      expect(names.filter((n) => /^[0-9a-f]{64}\.tar$/.test(n)).sort()).toEqual(
        ok.map((d) => `${d.slice(7)}.tar`).sort(),
      );
      await using source = await transport.parseReference(path).newImageSource();
      for (const digest of ok) {
        expect(digestOf(await collectBytes((await source.getBlob({ digest })).stream))).toBe(digest);
      }
    },
  );
});
