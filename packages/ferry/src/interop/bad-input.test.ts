import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFerry } from '../cli/test-support/run-ferry.ts';
import { expectFailure, layoutCopy, targetOf } from './test-support/bad-destinations.ts';
import { dockerArchiveNaming, ociArchiveWithMember } from './test-support/crafted-archives.ts';
import { LayoutWriter, readBlob, sha256 } from './test-support/layout-writer.ts';
import { buildTestImages, type TestImages } from './test-support/test-images.ts';
import { KINDS, requireTransport } from './test-support/transport-refs.ts';

let work: string;
let images: TestImages;
let template: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ferry-interop-bad-'));
  images = buildTestImages(join(work, 'images'));
  template = join(work, 'template');
  const r = await runFerry(['copy', '-q', `oci:${images.layout}:zstd`, `oci:${template}:old`]);
  if (r.code !== 0) throw new Error(`making the destination template failed: ${r.stderr}`);
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

// the layer that gets corrupted: the middle one, so some blobs are copied before the failure
const LAYER = 30;

function layerDigest(layout: string): string {
  const manifest = JSON.parse(readBlob(layout, images.sixty.manifest.digest).toString('utf8'));
  return manifest.layers[LAYER].digest;
}

function blobPath(layout: string, digest: string): string {
  return join(layout, 'blobs', 'sha256', digest.slice(7));
}

interface Corruption {
  readonly name: string;
  /** Damages the layout and returns what the error line must mention. */
  readonly apply: (layout: string) => RegExp;
  readonly codes: readonly string[];
}

const CORRUPTIONS: readonly Corruption[] = [
  {
    name: 'a truncated layer blob',
    apply: (layout) => {
      const digest = layerDigest(layout);
      const bytes = readFileSync(blobPath(layout, digest));
      writeFileSync(blobPath(layout, digest), bytes.subarray(0, bytes.length >> 1));
      return new RegExp(digest.slice(7, 19));
    },
    codes: ['ERR_SIZE_MISMATCH', 'ERR_DIGEST_MISMATCH', 'ERR_CORRUPT_COMPRESSED_DATA'],
  },
  {
    name: 'a flipped byte in a layer',
    apply: (layout) => {
      const digest = layerDigest(layout);
      const bytes = readFileSync(blobPath(layout, digest));
      const fd = openSync(blobPath(layout, digest), 'r+');
      const at = bytes.length >> 1;
      writeSync(fd, Buffer.from([(bytes[at] ?? 0) ^ 0x40]), 0, 1, at);
      closeSync(fd);
      return new RegExp(digest.slice(7, 19));
    },
    codes: ['ERR_DIGEST_MISMATCH', 'ERR_CORRUPT_COMPRESSED_DATA'],
  },
  {
    name: 'a manifest declaring a wrong layer size',
    apply: (layout) => {
      const manifest = JSON.parse(readBlob(layout, images.sixty.manifest.digest).toString('utf8'));
      manifest.layers[LAYER].size -= 1;
      const w = new LayoutWriter(layout);
      w.tag(w.blob(Buffer.from(JSON.stringify(manifest)), manifest.mediaType), 'v1');
      return new RegExp(manifest.layers[LAYER].digest.slice(7, 19));
    },
    codes: ['ERR_SIZE_MISMATCH'],
  },
  {
    name: 'a broken index.json',
    apply: (layout) => {
      const text = readFileSync(join(layout, 'index.json'), 'utf8');
      writeFileSync(join(layout, 'index.json'), text.slice(0, text.length >> 1));
      return /index\.json/;
    },
    codes: ['ERR_INVALID_IMAGE', 'ERR_INVALID_MANIFEST'],
  },
];

const CASES = CORRUPTIONS.flatMap((c) => KINDS.map((kind) => [c.name, kind, c] as const));

describe('a damaged source layout fails with a coded error and leaves the destination as it was', () => {
  it.each(CASES)(
    '%s → %s',
    async (_name, kind, corruption) => {
      const source = layoutCopy(images.layout, work);
      const mention = corruption.apply(source);
      const target = targetOf(kind, work, template);
      const r = await runFerry(['--debug', 'copy', '-q', `oci:${source}:v1`, target.ref]);
      expectFailure(r, corruption.codes, mention);
      target.check();
    },
    30_000,
  );
});

describe('crafted archives', () => {
  it('controls: the same archives without the bad part copy fine', async () => {
    const dir = mkdtempSync(join(work, 'controls-'));
    ociArchiveWithMember(join(dir, 'good-oci.tar'), join(dir, 'scratch'), 'extra/file');
    const oci = await runFerry(['copy', '-q', `oci-archive:${join(dir, 'good-oci.tar')}:v1`, `dir:${join(dir, 'a')}`]);
    expect(oci.code, oci.stderr).toBe(0);
    requireTransport('docker-archive');
    dockerArchiveNaming(join(dir, 'good-docker.tar'), 'layer.tar', 'layer.tar');
    const docker = await runFerry([
      'copy',
      '-q',
      `docker-archive:${join(dir, 'good-docker.tar')}`,
      `dir:${join(dir, 'b')}`,
    ]);
    expect(docker.code, docker.stderr).toBe(0);
  }, 30_000);

  it.each(['oci', 'dir'] as const)(
    'a docker-archive naming a layer ../escape is refused (→ %s)',
    async (kind) => {
      requireTransport('docker-archive');
      const dir = mkdtempSync(join(work, 'escape-'));
      const archive = join(dir, 'bad.tar');
      dockerArchiveNaming(archive, '../escape', '../escape');
      const target = targetOf(kind, work, template);
      const r = await runFerry(['--debug', 'copy', '-q', `docker-archive:${archive}`, target.ref]);
      expectFailure(r, ['ERR_INVALID_IMAGE'], /\.\.\/escape/);
      target.check();
      expect(readdirSync(dir)).toEqual(['bad.tar']);
      expect(existsSync(join(work, 'escape'))).toBe(false);
    },
    30_000,
  );

  it.each(['oci', 'dir'] as const)(
    'a docker-archive naming a missing layer fails (→ %s)',
    async (kind) => {
      requireTransport('docker-archive');
      const archive = join(mkdtempSync(join(work, 'missing-')), 'bad.tar');
      dockerArchiveNaming(archive, 'nothere/layer.tar');
      const target = targetOf(kind, work, template);
      const r = await runFerry(['--debug', 'copy', '-q', `docker-archive:${archive}`, target.ref]);
      expectFailure(r, ['ERR_INVALID_IMAGE', 'ERR_BLOB_UNKNOWN'], /nothere\/layer\.tar/);
      target.check();
    },
    30_000,
  );

  it.each(['oci', 'dir'] as const)(
    'an oci-archive with a member ../x is refused, nothing lands outside (→ %s)',
    async (kind) => {
      const dir = mkdtempSync(join(work, 'oci-escape-'));
      const archive = join(dir, 'bad.tar');
      ociArchiveWithMember(archive, join(dir, 'scratch'), '../x');
      const before = readdirSync(dir).sort();
      const archiveDigest = sha256(readFileSync(archive));
      const target = targetOf(kind, work, template);
      const r = await runFerry(['--debug', 'copy', '-q', `oci-archive:${archive}:v1`, target.ref]);
      expectFailure(r, ['ERR_INVALID_IMAGE'], /\.\.\/x/);
      target.check();
      expect(readdirSync(dir).sort()).toEqual(before);
      for (const place of [work, dirname(work), tmpdir(), process.cwd()])
        expect(existsSync(join(place, 'x'))).toBe(false);
      // reading never modifies the source archive
      expect(sha256(readFileSync(archive))).toBe(archiveDigest);
    },
    30_000,
  );
});
