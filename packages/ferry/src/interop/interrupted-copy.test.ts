import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFerry } from '../cli/test-support/run-ferry.ts';
import { buildBigImage } from './test-support/big-image.ts';
import { badBlobs, hiddenEntries, layoutTags, skopeoVerify } from './test-support/judges.ts';

const BIN = new URL('../../dist/bin/ferry.mjs', import.meta.url).pathname;

let work: string;
let big: string;
let template: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ferry-interop-kill-'));
  big = join(work, 'big');
  buildBigImage(big, work);
  template = join(work, 'template');
  const r = await runFerry(['copy', '-q', `oci:${big}:v1`, `oci:${template}:old`]);
  if (r.code !== 0) throw new Error(`making the destination template failed: ${r.stderr}`);
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

// the copy may remove a directory while it is being walked
function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

// bytes in the hidden entries (temp files, work and staging directories) under `dir`
function hiddenBytes(dir: string): number {
  let total = 0;
  const walk = (path: string): void => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) return;
    if (!st.isDirectory()) total += st.size;
    else for (const name of namesIn(path)) walk(join(path, name));
  };
  for (const name of hiddenEntries(dir)) walk(join(dir, name));
  return total;
}

/** Runs `ferry copy` as a process and SIGKILLs it once it has written `threshold` bytes of temp data in `watch`. */
function killMidCopy(args: readonly string[], watch: string, threshold: number): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setInterval(() => {
      if (hiddenBytes(watch) >= threshold) child.kill('SIGKILL');
    }, 5);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      if (signal === null) reject(new Error(`ferry ended (${code}) before it was killed: ${stderr}`));
      else resolve(signal);
    });
  });
}

const ARGS = ['copy', '-q', '--dest-compress-format', 'zstd'];

describe('a ferry copy killed mid-copy', () => {
  it('leaves an oci: layout valid (old tag intact, no partial blob), and a re-run succeeds cleanly', async () => {
    const layout = join(mkdtempSync(join(work, 'oci-')), 'layout');
    cpSync(template, layout, { recursive: true });
    const args = [...ARGS, `oci:${big}:v1`, `oci:${layout}:new`];
    expect(await killMidCopy(args, layout, 2 ** 20)).toBe('SIGKILL');
    expect(layoutTags(layout)).toEqual(['old']);
    expect(badBlobs(layout)).toEqual([]);
    expect(hiddenEntries(join(layout, 'blobs', 'sha256'))).toEqual([]);
    skopeoVerify(`oci:${layout}:old`, work);
    const again = await runFerry(args);
    expect(again.code, again.stderr).toBe(0);
    expect(layoutTags(layout).sort()).toEqual(['new', 'old']);
    expect(hiddenEntries(layout)).toEqual([]);
    expect(badBlobs(layout)).toEqual([]);
    skopeoVerify(`oci:${layout}:new`, work);
  }, 60_000);

  it.each([
    ['oci-archive', (p: string) => `oci-archive:${p}.tar:v1`, (p: string) => `${p}.tar`],
    ['dir', (p: string) => `dir:${p}`, (p: string) => p],
  ])(
    'leaves no %s destination, and a re-run succeeds and leaves no temp files',
    async (_kind, ref, file) => {
      const parent = mkdtempSync(join(work, 'target-'));
      const dest = join(parent, 'image');
      const args = [...ARGS, `oci:${big}:v1`, ref(dest)];
      expect(await killMidCopy(args, parent, 2 ** 20)).toBe('SIGKILL');
      expect(existsSync(file(dest))).toBe(false);
      const again = await runFerry(args);
      expect(again.code, again.stderr).toBe(0);
      expect(readdirSync(dirname(file(dest)))).toEqual([file(dest).slice(parent.length + 1)]);
      skopeoVerify(ref(dest), work);
    },
    60_000,
  );
});
