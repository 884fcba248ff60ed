import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dirTransport } from '@ferry/dir';
import { parseManifest } from '@ferry/manifest';
import { makeTestImage, makeTestImageList, writeTestImage, writeTestImageList } from '@ferry/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { copyImage, insecureAcceptAnythingPolicy } from './index.ts';

const run = promisify(execFile);
const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args]);
const dir = dirTransport();
const policy = insecureAcceptAnythingPolicy();
const made: string[] = [];

async function temp(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'ferry-copy-'));
  made.push(path);
  return path;
}

afterAll(async () => {
  await Promise.all(made.map((p) => rm(p, { recursive: true, force: true })));
});

describe('copyImage with dir: judged by skopeo', () => {
  it('copies dir → dir byte for byte; skopeo verifies and reads it', async () => {
    const base = await temp();
    const image = makeTestImage();
    await writeTestImage(dir.parseReference(join(base, 'in')), image);
    const result = await copyImage(policy, dir.parseReference(join(base, 'out')), dir.parseReference(join(base, 'in')));
    expect(result.digest).toBe(image.manifest.digest);
    await skopeo('copy', `dir:${join(base, 'out')}`, `dir:${join(base, 'check')}`);
    const { stdout } = await skopeo('inspect', '--raw', `dir:${join(base, 'out')}`);
    expect(stdout).toBe(new TextDecoder().decode(image.manifest.bytes));
  }, 60_000);

  it('skips an image already present, leaving it intact, with optimizeDestinationImageAlreadyExists', async () => {
    const base = await temp();
    const image = makeTestImage({ salt: 'present' });
    await writeTestImage(dir.parseReference(join(base, 'in')), image);
    const options = { optimizeDestinationImageAlreadyExists: true } as const;
    const out = dir.parseReference(join(base, 'out'));
    await copyImage(policy, out, dir.parseReference(join(base, 'in')), options);
    const lines: string[] = [];
    const again = await copyImage(policy, out, dir.parseReference(join(base, 'in')), {
      ...options,
      reportWriter: (line) => lines.push(line),
    });
    expect(again.digest).toBe(image.manifest.digest);
    expect(lines).toContain('Skipping: image already present at destination');
    await skopeo('copy', `dir:${join(base, 'out')}`, `dir:${join(base, 'check')}`);
  }, 60_000);

  it('copies every instance of a list again when the shortcut is on (instances are never skipped)', async () => {
    const base = await temp();
    const list = makeTestImageList();
    await writeTestImageList(dir.parseReference(join(base, 'in')), list);
    const options = { optimizeDestinationImageAlreadyExists: true, imageListSelection: 'all' } as const;
    const out = dir.parseReference(join(base, 'out'));
    await copyImage(policy, out, dir.parseReference(join(base, 'in')), options);
    await copyImage(policy, out, dir.parseReference(join(base, 'in')), options);
    await skopeo('copy', '--all', `dir:${join(base, 'out')}`, `dir:${join(base, 'check')}`);
  }, 60_000);

  it('recompresses to zstd into dir: and skopeo accepts the digests', async () => {
    const base = await temp();
    await writeTestImage(dir.parseReference(join(base, 'in')), makeTestImage({ salt: 'z' }));
    const result = await copyImage(
      policy,
      dir.parseReference(join(base, 'out')),
      dir.parseReference(join(base, 'in')),
      {
        destinationCompression: { algorithm: 'zstd' },
      },
    );
    const written = parseManifest(result.manifest, result.mediaType);
    if (written.kind !== 'oci-manifest') throw new Error(written.kind);
    expect(written.layers.every((l) => l.mediaType.endsWith('+zstd'))).toBe(true);
    await skopeo('copy', `dir:${join(base, 'out')}`, `dir:${join(base, 'check')}`);
    const { stdout } = await skopeo('inspect', '--raw', `dir:${join(base, 'out')}`);
    expect(stdout).toBe(new TextDecoder().decode(result.manifest));
  }, 60_000);

  it('copies a whole list into dir: and skopeo copies it on with --all', async () => {
    const base = await temp();
    const list = makeTestImageList();
    await writeTestImageList(dir.parseReference(join(base, 'in')), list);
    const result = await copyImage(
      policy,
      dir.parseReference(join(base, 'out')),
      dir.parseReference(join(base, 'in')),
      {
        imageListSelection: 'all',
      },
    );
    expect(result.digest).toBe(list.manifest.digest);
    await skopeo('copy', '--all', `dir:${join(base, 'out')}`, `dir:${join(base, 'check')}`);
    const { stdout } = await skopeo('inspect', '--raw', `dir:${join(base, 'check')}`);
    expect(stdout).toBe(new TextDecoder().decode(list.manifest.bytes));
  }, 60_000);
});
