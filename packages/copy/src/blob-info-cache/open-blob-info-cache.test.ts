import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Digest, parseDigest } from '@ferry/types';
import type { BlobInfoCache } from '@ferry/types/internal';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeRecord } from './cache-record.ts';
import { defaultBlobInfoCachePath } from './default-path.ts';
import { openBlobInfoCache, REFRESH_INTERVAL_MS } from './open-blob-info-cache.ts';

const d = (n: number): Digest => parseDigest(`sha256:${n.toString(16).padStart(64, '0')}`);
const T = 'docker';
const S = 'registry.example.com';
const isRoot = process.getuid?.() === 0;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-bic-'));
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

const locations = async (cache: BlobInfoCache, digest: Digest): Promise<string[]> =>
  (await cache.candidateLocations(T, S, digest, { canSubstitute: true })).map((c) => c.location);

describe('defaultBlobInfoCachePath', () => {
  it('uses an absolute XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultBlobInfoCachePath({ XDG_CACHE_HOME: '/x/cache' }, '/home/me')).toBe(
      '/x/cache/ferry/blob-info-cache-v1.jsonl',
    );
    expect(defaultBlobInfoCachePath({}, '/home/me')).toBe('/home/me/.cache/ferry/blob-info-cache-v1.jsonl');
    expect(defaultBlobInfoCachePath({ XDG_CACHE_HOME: 'relative' }, '/home/me')).toBe(
      '/home/me/.cache/ferry/blob-info-cache-v1.jsonl',
    );
  });
});

describe('openBlobInfoCache', () => {
  it('persists every kind of record across a reopen, in a 0600 file inside a 0700 directory', async () => {
    const path = join(dir, 'sub', 'cache.jsonl');
    {
      await using cache = await openBlobInfoCache({ path });
      await cache.recordUncompressedPair(d(1), d(2));
      await cache.recordCompression(d(1), 'zstd');
      await cache.recordKnownLocation(T, S, d(1), 'r/old');
      await cache.recordKnownLocation(T, S, d(1), 'r/new');
      await cache.recordKnownLocation(T, S, d(2), 'r/plain');
      expect(cache.path).toBe(path);
    }
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'sub'))).mode & 0o777).toBe(0o700);
    await using again = await openBlobInfoCache({ path });
    expect(await again.uncompressedDigest(d(1))).toBe(d(2));
    expect(await again.uncompressedDigest(d(2))).toBe(d(2));
    expect(await again.candidateLocations(T, S, d(1), { canSubstitute: true })).toEqual([
      { digest: d(1), location: 'r/new', compression: 'zstd' },
      { digest: d(1), location: 'r/old', compression: 'zstd' },
      { digest: d(2), location: 'r/plain' },
    ]);
  });

  it('sees what another cache on the same file recorded, once reopened', async () => {
    const path = join(dir, 'cache.jsonl');
    await using first = await openBlobInfoCache({ path });
    await using second = await openBlobInfoCache({ path });
    await first.recordKnownLocation(T, S, d(1), 'r/first');
    await second.recordKnownLocation(T, S, d(1), 'r/second');
    await using third = await openBlobInfoCache({ path });
    expect(await locations(third, d(1))).toEqual(['r/second', 'r/first']);
  });

  it('reads what another cache appended, at most once a second, also after a compaction replaced the file', async () => {
    const path = join(dir, 'cache.jsonl');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await using reader = await openBlobInfoCache({ path });
      await using writer = await openBlobInfoCache({ path, maxFileBytes: 8192 });
      await writer.recordKnownLocation(T, S, d(1), 'r/a');
      expect(await locations(reader, d(1))).toEqual([]);
      vi.setSystemTime(Date.now() + REFRESH_INTERVAL_MS + 1);
      expect(await locations(reader, d(1))).toEqual(['r/a']);
      for (let i = 2; i < 200; i += 1) await writer.recordKnownLocation(T, S, d(i), `r/${i}`);
      vi.setSystemTime(Date.now() + REFRESH_INTERVAL_MS + 1);
      expect(await locations(reader, d(199))).toEqual(['r/199']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('skips a torn last line and garbage lines, and keeps appending after them', async () => {
    const path = join(dir, 'cache.jsonl');
    {
      await using cache = await openBlobInfoCache({ path });
      await cache.recordKnownLocation(T, S, d(1), 'r/a');
    }
    await appendFile(
      path,
      'not json\n{"x":1}\n["l","docker"]\n\u0000\u0001\n["l","docker","registry.example.com","sha',
    );
    {
      await using cache = await openBlobInfoCache({ path });
      expect(await locations(cache, d(1))).toEqual(['r/a']);
      await cache.recordKnownLocation(T, S, d(1), 'r/b');
    }
    await using cache = await openBlobInfoCache({ path });
    expect(await locations(cache, d(1))).toEqual(['r/b', 'r/a']);
  });

  it('ignores JSON lines that are not records, such as bad digests, unknown kinds or compressions', async () => {
    const path = join(dir, 'cache.jsonl');
    const bad = [
      '{"x":1}',
      '[1,2]',
      '["p","sha256:abc","sha256:def",1]',
      `["c","${d(1)}","lz4",1]`,
      `["q","${d(1)}","r",1]`,
      `["l","docker","${S}","${d(1)}","r/x","yesterday"]`,
      `["l","docker","${S}","${d(1)}",7,1]`,
    ];
    await writeFile(path, `${bad.join('\n')}\n["l","docker","${S}","${d(1)}","r/ok",1]\n`);
    await using cache = await openBlobInfoCache({ path });
    expect(await cache.candidateLocations(T, S, d(1), { canSubstitute: true })).toEqual([
      { digest: d(1), location: 'r/ok' },
    ]);
  });

  it('treats a file of garbage as empty and still records', async () => {
    const path = join(dir, 'cache.jsonl');
    await writeFile(path, Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 256)));
    {
      await using cache = await openBlobInfoCache({ path });
      expect(await cache.candidateLocations(T, S, d(1), { canSubstitute: true })).toEqual([]);
      await cache.recordKnownLocation(T, S, d(1), 'r/a');
    }
    await using cache = await openBlobInfoCache({ path });
    expect(await locations(cache, d(1))).toEqual(['r/a']);
  });

  it('degrades to memory when the directory cannot be created, without throwing', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await using cache = await openBlobInfoCache({ path: join(dir, 'file', 'sub', 'cache.jsonl') });
    expect(cache.path).toBeUndefined();
    await cache.recordKnownLocation(T, S, d(1), 'r/a');
    await cache.recordCompression(d(1), 'gzip');
    expect(await cache.candidateLocations(T, S, d(1), { canSubstitute: false })).toEqual([
      { digest: d(1), location: 'r/a', compression: 'gzip' },
    ]);
  });

  it('degrades to memory when the file cannot be written after opening', async () => {
    const path = join(dir, 'cache.jsonl');
    await using cache = await openBlobInfoCache({ path });
    await mkdir(path); // appending to a directory fails, even for root
    await expect(cache.recordKnownLocation(T, S, d(1), 'r/a')).resolves.toBeUndefined();
    expect(cache.path).toBeUndefined();
    await cache.recordKnownLocation(T, S, d(1), 'r/b');
    expect(await locations(cache, d(1))).toEqual(['r/b', 'r/a']);
  });

  it.skipIf(isRoot)('degrades to memory in an unwritable directory without throwing', async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked, { mode: 0o500 });
    await using cache = await openBlobInfoCache({ path: join(locked, 'sub', 'cache.jsonl') });
    expect(cache.path).toBeUndefined();
    await cache.recordKnownLocation(T, S, d(1), 'r/a');
    await cache.recordUncompressedPair(d(1), d(2));
    expect(await locations(cache, d(1))).toEqual(['r/a']);
    expect(await cache.uncompressedDigest(d(1))).toBe(d(2));
  });

  it.skipIf(isRoot)('degrades to memory when the file turns unwritable after opening', async () => {
    const path = join(dir, 'cache.jsonl');
    await writeFile(path, '', { mode: 0o600 });
    await using cache = await openBlobInfoCache({ path });
    await chmod(path, 0o400);
    await cache.recordKnownLocation(T, S, d(1), 'r/a');
    expect(cache.path).toBeUndefined();
    expect(await locations(cache, d(1))).toEqual(['r/a']);
  });

  it('compacts past maxFileBytes, keeping the newest entries and a valid file', async () => {
    const path = join(dir, 'cache.jsonl');
    const maxFileBytes = 16 * 1024;
    {
      await using cache = await openBlobInfoCache({ path, maxFileBytes });
      for (let i = 0; i < 400; i += 1) await cache.recordKnownLocation(T, S, d(i), `r/${i}`);
    }
    const text = await readFile(path, 'utf8');
    expect(text.length).toBeLessThanOrEqual(maxFileBytes);
    const lines = text.split('\n').filter((line) => line !== '');
    expect(lines.every((line) => decodeRecord(line) !== undefined)).toBe(true);
    await using cache = await openBlobInfoCache({ path });
    expect(await locations(cache, d(399))).toEqual(['r/399']);
    expect(await locations(cache, d(0))).toEqual([]);
    await expect(stat(`${path}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('compacts per digest too: only the newest locations of one digest survive', async () => {
    const path = join(dir, 'cache.jsonl');
    {
      await using cache = await openBlobInfoCache({ path, maxFileBytes: 8192, maxLocationsPerDigest: 3 });
      for (let i = 0; i < 100; i += 1) await cache.recordKnownLocation(T, S, d(1), `r/${i}`);
    }
    await using cache = await openBlobInfoCache({ path, maxLocationsPerDigest: 1000 });
    const found = await cache.candidateLocations(T, S, d(1), { canSubstitute: false });
    expect(found[0]?.location).toBe('r/99');
    expect((await readFile(path, 'utf8')).length).toBeLessThan(8192);
  });

  it('opens a cache of 10 000 entries in well under 50 ms', async () => {
    const path = join(dir, 'cache.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      lines.push(
        `${JSON.stringify(['l', T, `registry-${i % 7}.example.com`, d(i), `registry.example.com/team/app-${i}`, 1.7e12 + i])}\n`,
      );
    }
    await writeFile(path, lines.join(''));
    await (await openBlobInfoCache({ path })).flush(); // warm up module code and the page cache
    // CPU time, the best of five: other test files run beside this one and stretch its wall-clock time
    let elapsed = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 5; run += 1) {
      const started = process.cpuUsage();
      await openBlobInfoCache({ path });
      const used = process.cpuUsage(started);
      elapsed = Math.min(elapsed, (used.user + used.system) / 1000);
    }
    await using cache = await openBlobInfoCache({ path });
    expect(await cache.candidateLocations(T, 'registry-3.example.com', d(9999), { canSubstitute: false })).toEqual([
      { digest: d(9999), location: 'registry.example.com/team/app-9999' },
    ]);
    expect(elapsed).toBeLessThan(50);
  });

  it('rejects with the reason of an aborted signal', async () => {
    const reason = new Error('stop');
    await expect(openBlobInfoCache({ path: join(dir, 'c'), signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});
