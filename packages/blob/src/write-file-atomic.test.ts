import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Digest } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestBytes, writeBytesAtomic, writeFileAtomic } from './index.ts';
import { chunked, sampleBytes, streamOf, trackedSource } from './test-support/tracked-source.ts';

const data = sampleBytes(200_000);
const digest = digestBytes(data);
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-blob-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const listing = (): Promise<string[]> => readdir(dir);

describe('writeFileAtomic', () => {
  it('writes, verifies and returns digest and size, leaving no temp file', async () => {
    const target = join(dir, 'blob');
    const result = await writeFileAtomic(target, streamOf(...chunked(data, 8192)), { digest, size: data.byteLength });
    expect(result).toEqual({ digest, size: data.byteLength });
    expect(Buffer.compare(await readFile(target), data)).toBe(0);
    expect(await listing()).toEqual(['blob']);
  });

  it('computes the digest when none is expected and applies the mode', async () => {
    const target = join(dir, 'plain');
    const result = await writeFileAtomic(target, streamOf(data), { mode: 0o600, algorithm: 'sha512' });
    expect(result.digest).toBe(digestBytes(data, 'sha512'));
    expect((await stat(target)).mode & 0o777).toBe(0o600);
  });

  it('replaces an existing file whole', async () => {
    const target = join(dir, 'index.json');
    await writeFile(target, 'old contents');
    await writeBytesAtomic(target, new TextEncoder().encode('{"new":true}'));
    expect(await readFile(target, 'utf8')).toBe('{"new":true}');
    expect(await listing()).toEqual(['index.json']);
  });

  it('never publishes a blob with the wrong digest, and removes the temp file', async () => {
    const target = join(dir, 'blob');
    await writeFile(target, 'previous');
    const wrong = `sha256:${'1'.repeat(64)}` as Digest;
    const error = await writeFileAtomic(target, streamOf(...chunked(data, 8192)), { digest: wrong }).catch(
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_DIGEST_MISMATCH')).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('previous');
    expect(await listing()).toEqual(['blob']);
  });

  it('stops at the first byte past the expected size, closes the stream and removes the temp file', async () => {
    const source = trackedSource(chunked(data, 10_000));
    const error = await writeFileAtomic(join(dir, 'blob'), source, { size: 15_000 }).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_SIZE_MISMATCH')).toBe(true);
    expect(source.pulled).toBe(2);
    expect(source.closed).toBe(true);
    expect(await listing()).toEqual([]);
  });

  it('removes the temp file when the stream fails, and passes ImageErrors through', async () => {
    const boom = new Error('connection reset');
    const error = await writeFileAtomic(join(dir, 'blob'), trackedSource(chunked(data, 10_000), boom)).catch(
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_IO')).toBe(true);
    expect((error as Error).cause).toBe(boom);
    expect(await listing()).toEqual([]);
  });

  it('removes the temp file on abort and throws signal.reason', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    async function* slow(): AsyncGenerator<Uint8Array, void, undefined> {
      yield data.subarray(0, 1000);
      controller.abort(reason);
      yield data.subarray(1000, 2000);
      yield data.subarray(2000);
    }
    const error = await writeFileAtomic(join(dir, 'blob'), slow(), { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBe(reason);
    expect(await listing()).toEqual([]);
    await expect(writeBytesAtomic(join(dir, 'x'), data, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await listing()).toEqual([]);
  });

  it('reports a missing directory as ERR_IO and closes the stream', async () => {
    const source = trackedSource([data]);
    const error = await writeFileAtomic(join(dir, 'missing', 'blob'), source).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_IO')).toBe(true);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ENOENT');
    expect(source.pulled).toBe(0);
  });
});
