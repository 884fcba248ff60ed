import { type Digest, parseDigest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { createMemoryBlobInfoCache } from './memory-blob-info-cache.ts';

const d = (n: number): Digest => parseDigest(`sha256:${n.toString(16).padStart(64, '0')}`);
const T = 'docker';
const S = 'registry.example.com';

describe('createMemoryBlobInfoCache', () => {
  it('knows pairs: the uncompressed digest of a compressed one, and an uncompressed digest maps to itself', async () => {
    const cache = createMemoryBlobInfoCache();
    expect(await cache.uncompressedDigest(d(1))).toBeUndefined();
    await cache.recordUncompressedPair(d(1), d(2));
    expect(await cache.uncompressedDigest(d(1))).toBe(d(2));
    expect(await cache.uncompressedDigest(d(2))).toBe(d(2));
    expect(await cache.uncompressedDigest(d(3))).toBeUndefined();
    await cache.recordUncompressedPair(d(4), d(4));
    expect(await cache.uncompressedDigest(d(4))).toBe(d(4));
  });

  it('keys locations by transport and scope, and reports the known compression', async () => {
    const cache = createMemoryBlobInfoCache();
    await cache.recordKnownLocation(T, S, d(1), 'registry.example.com/a');
    await cache.recordKnownLocation('oci', S, d(1), 'elsewhere');
    await cache.recordKnownLocation(T, 'other.example.com', d(1), 'other.example.com/b');
    expect(await cache.candidateLocations(T, S, d(1), { canSubstitute: false })).toEqual([
      { digest: d(1), location: 'registry.example.com/a' },
    ]);
    await cache.recordCompression(d(1), 'gzip');
    expect(await cache.candidateLocations(T, S, d(1), { canSubstitute: false })).toEqual([
      { digest: d(1), location: 'registry.example.com/a', compression: 'gzip' },
    ]);
    expect(await cache.candidateLocations(T, S, d(9), { canSubstitute: true })).toEqual([]);
  });

  it('orders the same digest by recency and re-recording refreshes a location', async () => {
    const cache = createMemoryBlobInfoCache();
    await cache.recordKnownLocation(T, S, d(1), 'r/a');
    await cache.recordKnownLocation(T, S, d(1), 'r/b');
    await cache.recordKnownLocation(T, S, d(1), 'r/c');
    const names = async () =>
      (await cache.candidateLocations(T, S, d(1), { canSubstitute: false })).map((c) => c.location);
    expect(await names()).toEqual(['r/c', 'r/b', 'r/a']);
    await cache.recordKnownLocation(T, S, d(1), 'r/a');
    expect(await names()).toEqual(['r/a', 'r/c', 'r/b']);
  });

  it('offers substitutes only with canSubstitute: same digest first, then variants, the uncompressed last', async () => {
    const cache = createMemoryBlobInfoCache();
    const [gzip, zstd, plain] = [d(1), d(2), d(3)];
    await cache.recordUncompressedPair(gzip, plain);
    await cache.recordUncompressedPair(zstd, plain);
    await cache.recordCompression(gzip, 'gzip');
    await cache.recordCompression(zstd, 'zstd');
    await cache.recordCompression(plain, 'none');
    await cache.recordKnownLocation(T, S, plain, 'r/plain'); // most recent, yet last
    await cache.recordKnownLocation(T, S, gzip, 'r/gzip');
    await cache.recordKnownLocation(T, S, zstd, 'r/zstd');
    await cache.recordKnownLocation(T, S, plain, 'r/plain2');
    expect(await cache.candidateLocations(T, S, gzip, { canSubstitute: false })).toEqual([
      { digest: gzip, location: 'r/gzip', compression: 'gzip' },
    ]);
    expect(await cache.candidateLocations(T, S, gzip, { canSubstitute: true })).toEqual([
      { digest: gzip, location: 'r/gzip', compression: 'gzip' },
      { digest: zstd, location: 'r/zstd', compression: 'zstd' },
      { digest: plain, location: 'r/plain2', compression: 'none' },
      { digest: plain, location: 'r/plain', compression: 'none' },
    ]);
    // asking for the uncompressed digest: it comes first, then its compressed variants
    const forPlain = await cache.candidateLocations(T, S, plain, { canSubstitute: true });
    expect(forPlain.map((c) => c.location)).toEqual(['r/plain2', 'r/plain', 'r/zstd', 'r/gzip']);
  });

  it('returns at most five candidates, the best ones', async () => {
    const cache = createMemoryBlobInfoCache();
    for (let i = 0; i < 8; i += 1) await cache.recordKnownLocation(T, S, d(1), `r/${i}`);
    const found = await cache.candidateLocations(T, S, d(1), { canSubstitute: true });
    expect(found.map((c) => c.location)).toEqual(['r/7', 'r/6', 'r/5', 'r/4', 'r/3']);
    const small = createMemoryBlobInfoCache({ maxCandidates: 2 });
    for (let i = 0; i < 4; i += 1) await small.recordKnownLocation(T, S, d(1), `r/${i}`);
    expect(await small.candidateLocations(T, S, d(1), { canSubstitute: false })).toHaveLength(2);
  });

  it('forgets the least recently seen locations of a digest beyond maxLocationsPerDigest', async () => {
    const cache = createMemoryBlobInfoCache({ maxLocationsPerDigest: 2, maxCandidates: 10 });
    for (const name of ['a', 'b', 'c']) await cache.recordKnownLocation(T, S, d(1), name);
    const found = await cache.candidateLocations(T, S, d(1), { canSubstitute: false });
    expect(found.map((c) => c.location)).toEqual(['c', 'b']);
  });

  it('ignores a transport or scope holding NUL instead of throwing', async () => {
    const cache = createMemoryBlobInfoCache();
    await expect(cache.recordKnownLocation('a\0b', S, d(1), 'x')).resolves.toBeUndefined();
    expect(await cache.candidateLocations('a\0b', S, d(1), { canSubstitute: false })).toEqual([]);
  });
});
