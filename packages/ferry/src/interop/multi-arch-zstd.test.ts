import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, runFerry } from '../cli/test-support/run-ferry.ts';
import { skopeoDiffIds, skopeoRaw, skopeoVerify } from './test-support/judges.ts';
import { LAYER_ZSTD, sha256 } from './test-support/layout-writer.ts';
import { buildTestImages, type TestImages } from './test-support/test-images.ts';
import { requireTransport } from './test-support/transport-refs.ts';

let work: string;
let images: TestImages;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ferry-interop-multi-'));
  images = buildTestImages(join(work, 'images'));
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const layerTypes = (ref: string): string[] =>
  JSON.parse(skopeoRaw(ref)).layers.map((l: { mediaType: string }) => l.mediaType);

describe('multi-arch indexes', () => {
  it.each([
    ['oci', (p: string) => `oci:${p}:multi`],
    ['oci-archive', (p: string) => `oci-archive:${p}.tar:multi`],
    ['dir', (p: string) => `dir:${p}`],
  ])(
    'ferry copy --all oci → %s keeps the index bytes, and skopeo copy --all verifies',
    async (kind, ref) => {
      const dest = ref(join(work, `all-${kind}`));
      const r = await runFerry(['copy', '-q', '--all', `oci:${images.layout}:multi`, dest]);
      expect(r.code, r.stderr).toBe(0);
      const raw = skopeoRaw(dest);
      expect(raw).toBe(skopeoRaw(`oci:${images.layout}:multi`));
      expect(sha256(Buffer.from(raw))).toBe(images.multi.index.digest);
      const checked = skopeoVerify(dest, work, true);
      // skopeo's dir: of a whole list holds both instances' manifests, named by digest
      for (const d of [images.multi.amd64.digest, images.multi.arm64.digest])
        expect(existsSync(join(checked, `${d.slice(7)}.manifest.json`))).toBe(true);
    },
    30_000,
  );

  it('--multi-arch system with --override-arch arm64 copies only the arm64 instance', async () => {
    const dest = join(work, 'arm64-only');
    const r = await runFerry([
      'copy',
      '-q',
      '--override-arch',
      'arm64',
      '--multi-arch',
      'system',
      `oci:${images.layout}:multi`,
      `oci:${dest}:v1`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(Buffer.from(skopeoRaw(`oci:${dest}:v1`)))).toBe(images.multi.arm64.digest);
    expect(JSON.parse(judge('skopeo', ['inspect', '--config', '--raw', `oci:${dest}:v1`])).architecture).toBe('arm64');
    skopeoVerify(`oci:${dest}:v1`, work);
  }, 30_000);

  it('accepts --override-arch before the command, as skopeo does (`ferry --override-arch arm64 copy …`)', async () => {
    const dest = join(work, 'arm64-global');
    const r = await runFerry([
      '--override-arch',
      'arm64',
      'copy',
      '-q',
      `oci:${images.layout}:multi`,
      `oci:${dest}:v1`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(Buffer.from(skopeoRaw(`oci:${dest}:v1`)))).toBe(images.multi.arm64.digest);
  }, 30_000);

  it('refuses --all into docker-archive (it holds single images) and creates no archive', async () => {
    requireTransport('docker-archive');
    const archive = join(work, 'all.tar');
    const r = await runFerry(['copy', '-q', '--all', `oci:${images.layout}:multi`, `docker-archive:${archive}:x/y:z`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ferry: .*(list|multiple|index)/im);
    expect(existsSync(archive)).toBe(false);
  }, 30_000);
});

describe('zstd layers', () => {
  it('oci → oci keeps zstd layers and the manifest bytes', async () => {
    const dest = join(work, 'zstd-oci');
    const r = await runFerry(['copy', '-q', `oci:${images.layout}:zstd`, `oci:${dest}:v1`]);
    expect(r.code, r.stderr).toBe(0);
    expect(skopeoRaw(`oci:${dest}:v1`)).toBe(skopeoRaw(`oci:${images.layout}:zstd`));
    expect(layerTypes(`oci:${dest}:v1`)).toEqual([LAYER_ZSTD, LAYER_ZSTD, LAYER_ZSTD]);
    skopeoVerify(`oci:${dest}:v1`, work);
    // umoci 0.4.7 cannot unpack zstd layers: the zstd CLI and GNU tar read the last layer instead
    const last = JSON.parse(skopeoRaw(`oci:${dest}:v1`)).layers[2].digest as string;
    const tar = execFileSync('zstd', ['-d', '-c', join(dest, 'blobs', 'sha256', last.slice(7))]);
    expect(sha256(tar)).toBe(images.zstd.diffIds[2]);
    expect(execFileSync('/usr/bin/tar', ['-t'], { input: tar, encoding: 'utf8' })).toContain('etc/zstd-2');
  }, 30_000);

  it('oci → dir keeps zstd layers', async () => {
    const dest = join(work, 'zstd-dir');
    const r = await runFerry(['copy', '-q', `oci:${images.layout}:zstd`, `dir:${dest}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(skopeoRaw(`dir:${dest}`)).toBe(skopeoRaw(`oci:${images.layout}:zstd`));
    skopeoVerify(`dir:${dest}`, work);
  }, 30_000);

  it('zstd → docker-archive decompresses (Docker v2s2 has no zstd), diff_ids unchanged', async () => {
    requireTransport('docker-archive');
    const archive = join(work, 'zstd.tar');
    const r = await runFerry(['copy', '-q', `oci:${images.layout}:zstd`, `docker-archive:${archive}:ferry/zstd:v1`]);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(skopeoRaw(`docker-archive:${archive}`));
    expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(manifest.layers.map((l: { digest: string }) => l.digest)).toEqual(images.zstd.diffIds);
    expect(skopeoDiffIds(`docker-archive:${archive}`)).toEqual(images.zstd.diffIds);
    skopeoVerify(`docker-archive:${archive}`, work);
  }, 30_000);

  it('gzip → zstd with --dest-compress-format zstd; skopeo --dest-decompress gets the same diff_ids', async () => {
    const dest = join(work, 'to-zstd');
    const r = await runFerry([
      'copy',
      '-q',
      '--dest-compress-format',
      'zstd',
      `oci:${images.layout}:v1`,
      `oci:${dest}:v1`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(new Set(layerTypes(`oci:${dest}:v1`))).toEqual(new Set([LAYER_ZSTD]));
    const plain = join(work, 'to-zstd-plain');
    judge('skopeo', ['--insecure-policy', 'copy', '-q', '--dest-decompress', `oci:${dest}:v1`, `dir:${plain}`]);
    expect(skopeoDiffIds(`dir:${plain}`)).toEqual(images.sixty.diffIds);
    // decompressed layers are named by their diff_ids: skopeo verified the zstd streams end to end
    const layers = JSON.parse(skopeoRaw(`dir:${plain}`)).layers.map((l: { digest: string }) => l.digest);
    expect(layers).toEqual(images.sixty.diffIds);
  }, 30_000);
});
