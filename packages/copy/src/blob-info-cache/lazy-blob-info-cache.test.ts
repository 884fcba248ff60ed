import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Digest } from '@ferry/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lazyBlobInfoCache } from './lazy-blob-info-cache.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-lazy-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DIGEST = `sha256:${'c'.repeat(64)}` as Digest;

describe('lazyBlobInfoCache', () => {
  it('touches nothing until used, then records and finds like the file cache', async () => {
    const path = join(dir, 'sub', 'cache.jsonl');
    {
      await using cache = lazyBlobInfoCache({ path });
      expect(cache.path).toBe(path);
    }
    await expect(stat(join(dir, 'sub'))).rejects.toThrow();
    {
      await using cache = lazyBlobInfoCache({ path });
      await cache.recordKnownLocation('docker', 'registry.example', DIGEST, 'team/app');
    }
    expect(await readFile(path, 'utf8')).toContain('team/app');
    await using again = lazyBlobInfoCache({ path });
    const found = await again.candidateLocations('docker', 'registry.example', DIGEST, { canSubstitute: false });
    expect(found.map((c) => c.location)).toEqual(['team/app']);
  });
});
