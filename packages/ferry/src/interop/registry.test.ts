import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry } from '@ferry/registry-server';
import { type FaultProxy, startFaultProxy } from '@ferry/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, runFerry } from '../cli/test-support/run-ferry.ts';
import { buildTestImages, type TestImages } from './test-support/test-images.ts';

// `ferry copy` and `ferry inspect` against the real registry (distribution 2.8, plain HTTP); skopeo judges
// what ferry pushes and provides what ferry pulls.

let work: string;
let images: TestImages;
let registry: RunningRegistry;
let proxy: FaultProxy;
const NO_TLS = ['--src-tls-verify=false', '--dest-tls-verify=false'];

const skopeo = (...args: string[]): string => judge('skopeo', ['--insecure-policy', ...args]);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ferry-registry-interop-'));
  images = buildTestImages(join(work, 'images'));
  registry = await startRegistry({ mode: 'http' });
  proxy = await startFaultProxy({ upstream: registry.url });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('ferry pushes, skopeo judges', () => {
  it('pushes the 60-layer image: skopeo reads the same manifest and verifies every blob', async () => {
    const digestFile = join(work, 'pushed.digest');
    const r = await runFerry([
      'copy',
      '-q',
      ...NO_TLS,
      '--digestfile',
      digestFile,
      `oci:${images.layout}:v1`,
      `docker://${registry.host}/sixty:v1`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const raw = skopeo('inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/sixty:v1`);
    const inspected = JSON.parse(skopeo('inspect', '--tls-verify=false', `docker://${registry.host}/sixty:v1`));
    expect(inspected.Digest).toBe(readFileSync(digestFile, 'utf8'));
    expect(JSON.parse(raw).layers).toHaveLength(60);
    skopeo('copy', '-q', '--src-tls-verify=false', `docker://${registry.host}/sixty:v1`, `dir:${join(work, 'judged')}`);
  }, 60_000);

  it('copies a multi-arch index with --all, bytes unchanged', async () => {
    const r = await runFerry([
      'copy',
      '-q',
      '--all',
      ...NO_TLS,
      `oci:${images.layout}:multi`,
      `docker://${registry.host}/multi:1`,
    ]);
    expect(r.code).toBe(0);
    const pushed = skopeo('inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/multi:1`);
    expect(pushed).toBe(skopeo('inspect', '--raw', `oci:${images.layout}:multi`));
    skopeo(
      'copy',
      '-q',
      '--all',
      '--src-tls-verify=false',
      `docker://${registry.host}/multi:1`,
      `oci:${join(work, 'multi-judged')}:x`,
    );
    // and back: every instance pulled, the index unchanged
    const back = join(work, 'multi-back');
    const pulled = await runFerry([
      'copy',
      '-q',
      '--all',
      ...NO_TLS,
      `docker://${registry.host}/multi:1`,
      `oci:${back}:m`,
    ]);
    expect(pulled.code).toBe(0);
    expect(skopeo('inspect', '--raw', `oci:${back}:m`)).toBe(skopeo('inspect', '--raw', `oci:${images.layout}:multi`));
    skopeo('copy', '-q', '--all', `oci:${back}:m`, `oci:${join(work, 'multi-back-judged')}:x`);
  });

  it('zstd layers survive a push and a pull', async () => {
    expect(
      (await runFerry(['copy', '-q', ...NO_TLS, `oci:${images.layout}:zstd`, `docker://${registry.host}/zstd:1`])).code,
    ).toBe(0);
    const out = join(work, 'zstd-pulled');
    expect((await runFerry(['copy', '-q', ...NO_TLS, `docker://${registry.host}/zstd:1`, `oci:${out}:z`])).code).toBe(
      0,
    );
    expect(skopeo('inspect', '--raw', `oci:${out}:z`)).toBe(skopeo('inspect', '--raw', `oci:${images.layout}:zstd`));
  });
});

describe('skopeo pushes, ferry pulls', () => {
  it('pulls into an OCI layout with the same manifest and config', async () => {
    skopeo(
      'copy',
      '-q',
      '--dest-tls-verify=false',
      `oci:${images.layout}:v1`,
      `docker://${registry.host}/from-skopeo:v1`,
    );
    const out = join(work, 'pulled');
    const r = await runFerry(['copy', '-q', ...NO_TLS, `docker://${registry.host}/from-skopeo:v1`, `oci:${out}:v1`]);
    expect(r.code).toBe(0);
    expect(skopeo('inspect', '--raw', `oci:${out}:v1`)).toBe(skopeo('inspect', '--raw', `oci:${images.layout}:v1`));
    skopeo('copy', '-q', `oci:${out}:v1`, `dir:${join(work, 'pulled-judged')}`);
  }, 60_000);

  it('inspect prints what skopeo prints', async () => {
    const ref = `docker://${registry.host}/from-skopeo:v1`;
    skopeo(
      'copy',
      '-q',
      '--dest-tls-verify=false',
      `oci:${images.layout}:v1`,
      `docker://${registry.host}/from-skopeo:other`,
    );
    const ours = await runFerry(['inspect', '--tls-verify=false', ref]);
    expect(ours.code).toBe(0);
    const theirs = JSON.parse(skopeo('inspect', '--tls-verify=false', ref));
    const mine = JSON.parse(ours.stdout);
    for (const key of ['Name', 'Digest', 'Architecture', 'Os', 'Layers', 'Created'])
      expect(mine[key]).toEqual(theirs[key]);
    expect([...mine.RepoTags].sort()).toEqual([...theirs.RepoTags].sort());
    expect(JSON.parse((await runFerry(['inspect', '--tls-verify=false', '--no-tags', ref])).stdout).RepoTags).toEqual(
      [],
    );
    expect((await runFerry(['inspect', '--tls-verify=false', '--raw', ref])).stdout).toBe(
      skopeo('inspect', '--tls-verify=false', '--raw', ref),
    );
    expect(JSON.parse((await runFerry(['inspect', '--tls-verify=false', '--config', ref])).stdout)).toEqual(
      JSON.parse(skopeo('inspect', '--tls-verify=false', '--config', ref)),
    );
  });
});

describe('registry to registry', () => {
  it('a copy to a new repository of the same registry mounts every blob instead of uploading it', async () => {
    skopeo(
      'copy',
      '-q',
      '--dest-tls-verify=false',
      `oci:${images.layout}:v1`,
      `docker://${registry.host}/mount-src:v1`,
    );
    const before = proxy.requests().length;
    const r = await runFerry([
      'copy',
      '-q',
      ...NO_TLS,
      `docker://${proxy.host}/mount-src:v1`,
      `docker://${proxy.host}/mount-dst:v1`,
    ]);
    expect(r.code).toBe(0);
    const seen = proxy.requests().slice(before);
    expect(seen.filter((q) => q.method === 'PATCH' || (q.method === 'PUT' && q.path.includes('/blobs/')))).toEqual([]);
    // no layer was downloaded either: only the manifest and the config (read for the copy) are GETs of blobs
    expect(seen.filter((q) => q.method === 'GET' && q.path.includes('/blobs/')).length).toBeLessThanOrEqual(1);
    expect(skopeo('inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/mount-dst:v1`)).toBe(
      skopeo('inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/mount-src:v1`),
    );
  }, 60_000);

  it('a copy of an image already there reads its manifest and sends nothing else', async () => {
    const args = ['copy', ...NO_TLS, `oci:${images.layout}:v1`, `docker://${proxy.host}/present:v1`];
    expect((await runFerry(args)).code).toBe(0);
    const before = proxy.requests().length;
    const again = await runFerry(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Skipping: image already present at destination');
    const seen = proxy.requests().slice(before);
    // no HEAD per blob (60 layers and a config), no upload, no manifest written again
    expect(seen.filter((q) => q.path.includes('/blobs/'))).toEqual([]);
    expect(seen.filter((q) => q.method !== 'GET' && q.method !== 'HEAD')).toEqual([]);
    expect(seen.filter((q) => q.path.includes('/manifests/')).length).toBeGreaterThan(0);

    // another image under the tag (here the same one with zstd layers) is copied, not skipped
    const zstd = ['copy', '-q', ...NO_TLS, '--dest-compress-format', 'zstd'];
    expect((await runFerry([...zstd, `oci:${images.layout}:v1`, `docker://${proxy.host}/present:other`])).code).toBe(0);
    const other = [`docker://${proxy.host}/present:other`, `docker://${proxy.host}/present:v1`];
    expect((await runFerry(['copy', '-q', ...NO_TLS, ...other])).code).toBe(0);
    expect(skopeo('inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/present:v1`)).toBe(
      skopeo('inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/present:other`),
    );
  }, 60_000);
});
