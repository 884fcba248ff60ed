import { execFile } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run: (file: string, args: readonly string[], options?: { cwd?: string }) => Promise<{ stdout: string }> =
  promisify(execFile) as never;

/** A temp directory removed by `await using`. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await mkdtemp(join(tmpdir(), 'ferry-tar-test-'));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

/** Deterministic pseudo-random bytes. */
export function bytesOf(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export const LONG_DIR = `${'d'.repeat(60)}/${'e'.repeat(70)}`;
export const LONG_FILE = `${LONG_DIR}/${'f'.repeat(90)}.txt`; // 222 bytes: fits prefix+name
export const VERY_LONG_FILE = `${'g'.repeat(120)}/${'h'.repeat(150)}.bin`; // needs pax or GNU L

/** The files of the sample tree, by path, with their contents. */
export function sampleFiles(veryLong = true): Map<string, Uint8Array> {
  const files = new Map([
    ['manifest.json', new TextEncoder().encode('[{"Config":"c.json"}]')],
    ['empty', new Uint8Array(0)],
    ['one-block', bytesOf(512, 2)],
    ['big/layer.tar', bytesOf(3 * 1024 * 1024 + 7, 3)],
    [LONG_FILE, bytesOf(1000, 4)],
  ]);
  if (veryLong) files.set(VERY_LONG_FILE, bytesOf(600, 5));
  return files;
}

/** Writes the sample tree (files, an empty dir, symlinks, a hard link) under `root`. */
export async function writeSampleTree(root: string, veryLong = true): Promise<void> {
  for (const [name, bytes] of sampleFiles(veryLong)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), bytes);
  }
  await mkdir(join(root, 'emptydir'));
  await mkdir(join(root, 'ID'));
  await symlink('../big/layer.tar', join(root, 'ID', 'layer.tar'));
  await symlink('manifest.json', join(root, 'link-to-manifest'));
  await link(join(root, 'one-block'), join(root, 'hard-one-block'));
}

/** Packs `root`'s contents with GNU tar in `format` into `out`, in a fixed order. */
export async function gnuTar(root: string, out: string, format: string): Promise<void> {
  await run('/usr/bin/tar', [`--format=${format}`, '--sort=name', '-cf', out, '-C', root, '.']);
}

/** Whether two byte arrays are equal (vitest's deep equality is too slow for MiBs). */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
