import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { judge, runFerry, umociImage } from './test-support/run-ferry.ts';

let work: string;
let layout: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ferry-cli-copy-'));
  layout = join(work, 'src-layout');
  umociImage(layout, 'v1', work);
}, 60_000);

describe('ferry copy', () => {
  it('copies an OCI image made by umoci into dir:, and skopeo verifies every digest', async () => {
    const dest = join(work, 'out-dir');
    const r = await runFerry(['copy', `oci:${layout}:v1`, `dir:${dest}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Getting image source signatures');
    expect(r.stderr).toMatch(/Copying blob sha256:[0-9a-f]{64}/);
    expect(r.stderr).toContain('Writing manifest to image destination');
    judge('skopeo', ['--insecure-policy', 'copy', '-q', `dir:${dest}`, `dir:${join(work, 'check-dir')}`]);
    expect(judge('skopeo', ['inspect', '--raw', `dir:${dest}`])).toBe(
      judge('skopeo', ['inspect', '--raw', `oci:${layout}:v1`]),
    );
  });

  it('converts with --format v2s2 and writes the digest file', async () => {
    const dest = join(work, 'v2s2');
    const digestFile = join(work, 'digest.txt');
    const r = await runFerry([
      'copy',
      '-q',
      '--format',
      'v2s2',
      '--digestfile',
      digestFile,
      `oci:${layout}:v1`,
      `dir:${dest}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const raw = JSON.parse(judge('skopeo', ['inspect', '--raw', `dir:${dest}`]));
    expect(raw.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(readFileSync(digestFile, 'utf8')).toBe(
      judge('skopeo', ['manifest-digest', join(dest, 'manifest.json')]).trim(),
    );
    judge('skopeo', ['--insecure-policy', 'copy', '-q', `dir:${dest}`, `dir:${join(work, 'check-v2s2')}`]);
  });

  it('recompresses to zstd with diff_ids unchanged (skopeo decompresses the result)', async () => {
    const dest = join(work, 'zstd');
    const r = await runFerry(['copy', '-q', '--dest-compress-format', 'zstd', `oci:${layout}:v1`, `oci:${dest}:z`]);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(judge('skopeo', ['inspect', '--raw', `oci:${dest}:z`]));
    expect(manifest.layers.every((l: { mediaType: string }) => l.mediaType.endsWith('+zstd'))).toBe(true);
    const decompressed = join(work, 'zstd-decompressed');
    judge('skopeo', ['--insecure-policy', 'copy', '-q', '--dest-decompress', `oci:${dest}:z`, `dir:${decompressed}`]);
    const original = JSON.parse(judge('skopeo', ['inspect', '--config', '--raw', `oci:${layout}:v1`]));
    const copied = JSON.parse(judge('skopeo', ['inspect', '--config', '--raw', `dir:${decompressed}`]));
    expect(copied.rootfs.diff_ids).toEqual(original.rootfs.diff_ids);
  });

  it('gzips uncompressed layers into oci: unless --dest-oci-accept-uncompressed-layers', async () => {
    const plain = join(work, 'plain-dir');
    expect((await runFerry(['copy', '-q', '--dest-decompress', `oci:${layout}:v1`, `dir:${plain}`])).code).toBe(0);
    const layerTypes = (ref: string) =>
      JSON.parse(judge('skopeo', ['inspect', '--raw', ref])).layers.map((l: { mediaType: string }) => l.mediaType);
    expect(layerTypes(`dir:${plain}`)).toEqual(['application/vnd.oci.image.layer.v1.tar']);
    const gz = join(work, 'gz-layout');
    expect((await runFerry(['copy', '-q', `dir:${plain}`, `oci:${gz}:v1`])).code).toBe(0);
    expect(layerTypes(`oci:${gz}:v1`)).toEqual(['application/vnd.oci.image.layer.v1.tar+gzip']);
    const keep = join(work, 'keep-layout');
    const r = await runFerry(['copy', '-q', '--dest-oci-accept-uncompressed-layers', `dir:${plain}`, `oci:${keep}:v1`]);
    expect(r.code, r.stderr).toBe(0);
    expect(layerTypes(`oci:${keep}:v1`)).toEqual(['application/vnd.oci.image.layer.v1.tar']);
    judge('skopeo', ['--insecure-policy', 'copy', '-q', `oci:${gz}:v1`, `dir:${join(work, 'check-gz')}`]);
  });

  it('writes an oci-archive that skopeo reads, and reads it back', async () => {
    const archive = join(work, 'image.tar');
    expect((await runFerry(['copy', '-q', `oci:${layout}:v1`, `oci-archive:${archive}:v1`])).code).toBe(0);
    expect(judge('skopeo', ['inspect', '--raw', `oci-archive:${archive}:v1`])).toBe(
      judge('skopeo', ['inspect', '--raw', `oci:${layout}:v1`]),
    );
    const back = await runFerry(['inspect', `oci-archive:${archive}:v1`]);
    expect(JSON.parse(back.stdout)).toEqual(JSON.parse(judge('skopeo', ['inspect', `oci:${layout}:v1`])));
  });

  it('records --additional-tag names in a docker-archive, and skopeo finds the image by each', async () => {
    const archive = join(work, 'tags.tar');
    const r = await runFerry([
      'copy',
      '-q',
      '--additional-tag',
      'extra:two',
      '--additional-tag',
      'quay.io/team/app:3',
      `oci:${layout}:v1`,
      `docker-archive:${archive}:app:latest`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    for (const tag of ['app:latest', 'extra:two', 'quay.io/team/app:3']) {
      const seen = JSON.parse(judge('skopeo', ['inspect', `docker-archive:${archive}:${tag}`]));
      expect(seen.Layers).toHaveLength(1);
    }
  });

  it('keeps zstd layers under --dest-compress alone, as skopeo does (only a named format recompresses)', async () => {
    const zstd = join(work, 'zstd-src');
    expect(
      (await runFerry(['copy', '-q', '--dest-compress-format', 'zstd', `oci:${layout}:v1`, `oci:${zstd}:z`])).code,
    ).toBe(0);
    const out = join(work, 'dest-compress');
    const r = await runFerry(['copy', '-q', '--dest-compress', '--preserve-digests', `oci:${zstd}:z`, `oci:${out}:z`]);
    expect(r.code, r.stderr).toBe(0);
    expect(judge('skopeo', ['inspect', '--raw', `oci:${out}:z`])).toBe(
      judge('skopeo', ['inspect', '--raw', `oci:${zstd}:z`]),
    );
  });

  it('writes progress as JSON lines with --progress=json', async () => {
    const r = await runFerry(['copy', '--progress=json', `oci:${layout}:v1`, `dir:${join(work, 'json')}`]);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === 'start')).toBe(true);
    expect(events.some((e) => e.type === 'done')).toBe(true);
    for (const e of events) expect(e.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('draws bars on a terminal', async () => {
    const r = await runFerry(['copy', `oci:${layout}:v1`, `dir:${join(work, 'bars')}`], { tty: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('\x1b[2K');
    expect(r.stderr).toMatch(/total: \d+\/\d+ blobs/);
  });

  it.each([
    [['--all', '--multi-arch', 'all'], 'Cannot use --all and --multi-arch together'],
    [['--format', 'v3'], 'unknown format "v3"'],
    [['--multi-arch', 'some'], 'unknown multi-arch option "some"'],
    [['--dest-decompress', '--dest-compress'], '--dest-decompress cannot be combined'],
    [['--dest-compress-format', 'lz4'], 'unknown compression format "lz4"'],
    [['--dest-compress-level', 'high'], 'not an integer'],
    [['--image-parallel-copies', '0'], 'must be at least 1'],
    [['--additional-tag', 'UPPER:x'], 'error parsing additional tag'],
    [['--progress', 'loud'], 'unknown progress mode'],
  ])('refuses %j as a usage error', async (flags, message) => {
    const r = await runFerry(['copy', ...flags, `oci:${layout}:v1`, `dir:${join(work, 'never')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('names an unknown transport and exits 1', async () => {
    const r = await runFerry(['copy', 'nope:x', `dir:${join(work, 'never')}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown transport "nope"');
  });

  it('fails with one line and exit 1 for a missing source, leaving no destination', async () => {
    const dest = join(work, 'missing-src');
    const r = await runFerry(['copy', `oci:${join(work, 'nothing-here')}:v1`, `dir:${dest}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^ferry: /);
    expect(() => readFileSync(join(dest, 'manifest.json'))).toThrow();
  });

  it('reads the policy from --policy, then ~/.config/containers/policy.json, resolving relative paths', async () => {
    const home = join(work, 'home');
    mkdirSync(join(home, '.config/containers'), { recursive: true });
    writeFileSync(join(home, '.config/containers/policy.json'), '{"default":[{"type":"reject"}]}');
    const env = { HOME: home };
    const rejected = await runFerry(['copy', '-q', `oci:${layout}:v1`, `dir:${join(work, 'p1')}`], { env });
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('rejected');
    writeFileSync(join(work, 'accept.json'), '{"default":[{"type":"insecureAcceptAnything"}]}');
    const accepted = await runFerry(
      ['--policy', 'accept.json', 'copy', '-q', `oci:${layout}:v1`, `dir:${join(work, 'p2')}`],
      {
        env,
        cwd: work,
      },
    );
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
  });
});

describe('ferry inspect', () => {
  it('prints the same JSON as skopeo inspect', async () => {
    const r = await runFerry(['inspect', `oci:${layout}:v1`]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(judge('skopeo', ['inspect', `oci:${layout}:v1`])));
    expect(r.stdout).toMatch(/^\{\n {4}"Digest"/);
  });

  it('--raw prints the manifest bytes exactly as skopeo does', async () => {
    const r = await runFerry(['inspect', '--raw', `oci:${layout}:v1`]);
    expect(r.stdout).toBe(judge('skopeo', ['inspect', '--raw', `oci:${layout}:v1`]));
  });

  it('--config and --config --raw print the config as skopeo does', async () => {
    const config = await runFerry(['inspect', '--config', `oci:${layout}:v1`]);
    expect(JSON.parse(config.stdout)).toEqual(JSON.parse(judge('skopeo', ['inspect', '--config', `oci:${layout}:v1`])));
    const raw = await runFerry(['inspect', '--config', '--raw', `oci:${layout}:v1`]);
    expect(raw.stdout).toBe(judge('skopeo', ['inspect', '--config', '--raw', `oci:${layout}:v1`]));
  });

  it('reports an unknown tag with exit 1', async () => {
    const r = await runFerry(['inspect', `oci:${layout}:nope`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ferry: .*nope/m);
  });
});
