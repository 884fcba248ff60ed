import { execFile, spawn } from 'node:child_process';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Digest, parseDigest } from '@ferry/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecord } from './cache-record.ts';
import { openBlobInfoCache } from './open-blob-info-cache.ts';

// Several real processes share one cache file: the children run the built package (dist), as `ferry` would.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = join(packageDir, 'dist', 'blob-info-cache', 'open-blob-info-cache.js');
const PROCESSES = 8;
const RECORDS = 200;

const d = (n: number): Digest => parseDigest(`sha256:${n.toString(16).padStart(64, '0')}`);

const CHILD = `
const [, , modulePath, path, index, count, maxFileBytes, startAt] = process.argv;
const { openBlobInfoCache } = await import(modulePath);
const cache = await openBlobInfoCache({ path, maxFileBytes: Number(maxFileBytes) });
while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 5));
for (let j = 0; j < Number(count); j += 1) {
  const n = Number(index) * 100000 + j;
  await cache.recordKnownLocation('docker', 'registry.example.com', 'sha256:' + n.toString(16).padStart(64, '0'), 'p' + index + '/' + j);
}
await cache[Symbol.asyncDispose]();
`;

let dir: string;
let script: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-bic-mp-'));
  script = join(dir, 'child.mjs');
  await writeFile(script, CHILD);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  // build errors elsewhere in the package do not stop tsc from emitting this module: only its presence counts
  await new Promise<void>((resolve) => execFile(process.execPath, [tsc, '-b'], { cwd: packageDir }, () => resolve()));
  await access(built);
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runChild(path: string, index: number, maxFileBytes: number, startAt: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = [script, pathToFileURL(built).href, path, String(index), String(RECORDS), String(maxFileBytes)];
    const child = spawn(process.execPath, [...args, String(startAt)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stderr) : reject(new Error(`child ${index}: ${code} ${stderr}`)),
    );
  });
}

async function runAll(path: string, maxFileBytes: number): Promise<void> {
  const startAt = Date.now() + 1500; // all children write at once, after their start-up
  const outputs = await Promise.all(
    Array.from({ length: PROCESSES }, (_, i) => runChild(path, i, maxFileBytes, startAt)),
  );
  expect(outputs.join('')).toBe('');
}

async function fileLines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
}

describe('a cache file shared by concurrent processes', () => {
  it('keeps every record of 8 processes writing 200 locations each at once', async () => {
    const path = join(dir, 'shared.jsonl');
    await runAll(path, 64 * 1024 * 1024);
    const lines = await fileLines(path);
    expect(lines.every((line) => decodeRecord(line) !== undefined)).toBe(true);
    expect(lines).toHaveLength(PROCESSES * RECORDS);
    await using cache = await openBlobInfoCache({ path });
    let seen = 0;
    for (let i = 0; i < PROCESSES; i += 1) {
      for (let j = 0; j < RECORDS; j += 1) {
        const found = await cache.candidateLocations('docker', 'registry.example.com', d(i * 100000 + j), {
          canSubstitute: false,
        });
        if (found.length === 1 && found[0]?.location === `p${i}/${j}`) seen += 1;
      }
    }
    expect(seen).toBe(PROCESSES * RECORDS);
  }, 120_000);

  it('leaves a valid, bounded file when they compact it concurrently', async () => {
    const path = join(dir, 'compacted.jsonl');
    const maxFileBytes = 8192;
    await runAll(path, maxFileBytes);
    const lines = await fileLines(path);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => decodeRecord(line) !== undefined)).toBe(true);
    // compactions ran: the file is a fraction of the ~130 KB written. How far past the bound the last writers
    // took it depends on how they raced (one that finds another compacting waits for a quarter more growth),
    // so the bound itself is checked with the next write below
    const written = PROCESSES * RECORDS * (lines[0] ?? '').length;
    expect((await readFile(path)).length).toBeLessThan(written / 4);
    expect((await readdir(dir)).filter((name) => name.startsWith('compacted.jsonl.'))).toEqual([]);
    await using cache = await openBlobInfoCache({ path, maxFileBytes });
    await cache.recordKnownLocation('docker', 'registry.example.com', d(999_999_999), 'after');
    await cache.flush();
    expect((await readFile(path)).length).toBeLessThanOrEqual(maxFileBytes);
    const last = decodeRecord(lines[lines.length - 1] ?? '');
    expect(last?.kind).toBe('location');
    if (last?.kind === 'location') {
      const found = await cache.candidateLocations('docker', 'registry.example.com', last.digest, {
        canSubstitute: false,
      });
      expect(found.map((c) => c.location)).toEqual([last.location]);
    }
  }, 120_000);
});
