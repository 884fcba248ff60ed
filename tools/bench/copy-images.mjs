// Deterministic images for the copy suite, cached in the OS temp directory: an OCI layout with one
// 6-layer image (medium: about 316 MiB uncompressed; large: twice that) and the same image as a
// docker-archive (made once by skopeo, so both tools read the same file).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { CACHE_DIR } from './bench-data.mjs';

const MiB = 2 ** 20;
const BLOCK = 4096;
// uncompressed layer sizes in MiB: 316 in all for the medium image
const MEDIUM_LAYERS = [100, 80, 60, 40, 24, 12];
const WORDS = 'usr bin lib etc share var opt root home config layer image manifest sha256 linux amd64 arm64'.split(' ');

function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

// text-like, structured and random 4 KiB blocks: gzip -6 compresses this about 2.5×
function fillBlock(block, next, pool) {
  const kind = next() % 100;
  if (kind < 55) pool.text[next() % pool.text.length].copy(block);
  else if (kind < 88) pool.structured[next() % pool.structured.length].copy(block);
  else {
    for (let at = 0; at < BLOCK; at += 4) block.writeUInt32LE(next(), at);
  }
  block.writeUInt32LE(next(), (next() % (BLOCK / 4)) * 4);
}

function makePool(next) {
  const text = Array.from({ length: 1024 }, () => {
    const b = Buffer.alloc(BLOCK);
    let at = 0;
    while (at < BLOCK) at += b.write(`${WORDS[next() % WORDS.length]}${next() & 1 ? '\n' : ' '}`, at, 'latin1');
    return b;
  });
  const structured = Array.from({ length: 1024 }, () => {
    const b = Buffer.alloc(BLOCK);
    let counter = next() & 0xffff;
    for (let at = 0; at < BLOCK; at += 8) {
      counter += 1 + (next() & 3);
      b.writeUInt32LE(counter, at);
      b.writeUInt32LE(next() & 0xff, at + 4);
    }
    return b;
  });
  return { text, structured };
}

async function writeFileOf(path, size, next, pool) {
  const out = createWriteStream(path);
  for (let done = 0; done < size; ) {
    const n = Math.min(4 * MiB, size - done);
    const buf = Buffer.allocUnsafe(n);
    for (let at = 0; at < n; at += BLOCK) fillBlock(buf.subarray(at, at + BLOCK), next, pool);
    if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
    done += n;
  }
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
}

async function sha256File(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) hash.update(chunk);
  return hash.digest('hex');
}

// one layer: a big file plus 200 small files, packed by GNU tar deterministically
async function makeLayer(work, index, megabytes, next, pool) {
  const dir = join(work, `layer-${index}`);
  mkdirSync(join(dir, 'usr', 'share', `pkg${index}`), { recursive: true });
  const small = 200;
  const smallSize = 16 * 1024;
  await writeFileOf(join(dir, 'usr', `big-${index}.bin`), megabytes * MiB - small * smallSize, next, pool);
  for (let i = 0; i < small; i++) {
    await writeFileOf(join(dir, 'usr', 'share', `pkg${index}`, `file-${i}.txt`), smallSize, next, pool);
  }
  const tar = join(work, `layer-${index}.tar`);
  execFileSync('tar', [
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-cf',
    tar,
    '-C',
    dir,
    '.',
  ]);
  rmSync(dir, { recursive: true, force: true });
  return tar;
}

async function buildLayout(name, scale, log) {
  const root = join(CACHE_DIR, 'copy-v1', name);
  const layout = join(root, 'oci');
  const archive = join(root, 'image.tar');
  if (existsSync(join(layout, 'index.json')) && existsSync(archive)) return { layout, archive };
  log(`generating the ${name} benchmark image in ${root} (once) …`);
  rmSync(root, { recursive: true, force: true });
  const work = join(root, 'work');
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(work, { recursive: true });
  mkdirSync(blobs, { recursive: true });
  const next = prng(0xbe7c + scale);
  const pool = makePool(next);
  const layers = [];
  const diffIds = [];
  for (const [i, mb] of MEDIUM_LAYERS.entries()) {
    const tar = await makeLayer(work, i, mb * scale, next, pool);
    diffIds.push(`sha256:${await sha256File(tar)}`);
    const gz = `${tar}.gz`;
    await pipeline(createReadStream(tar), createGzip({ level: 6 }), createWriteStream(gz));
    const hex = await sha256File(gz);
    renameSync(gz, join(blobs, hex));
    rmSync(tar);
    layers.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: `sha256:${hex}`,
      size: statSync(join(blobs, hex)).size,
    });
  }
  const putJson = (value) => {
    const bytes = Buffer.from(JSON.stringify(value));
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(blobs, hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const config = putJson({
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/bin'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'bench' })),
  });
  const manifest = putJson({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers,
  });
  writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'bench' },
        },
      ],
    }),
  );
  execFileSync('skopeo', [
    '--insecure-policy',
    'copy',
    '-q',
    `oci:${layout}:bench`,
    `docker-archive:${archive}:bench:latest`,
  ]);
  rmSync(work, { recursive: true, force: true });
  return { layout, archive };
}

/** Returns the medium (and, unless quick, large) images, generating them on first use. */
export async function benchImages(quick, log) {
  const images = { medium: await buildLayout('medium', 1, log) };
  if (!quick) images.large = await buildLayout('large', 2, log);
  return images;
}
