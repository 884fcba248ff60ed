// Extra images for the registry suite, cached in the OS temp directory: OCI layouts whose layers each
// hold one file of pseudo-random bytes (AES-CTR of zeros: deterministic, incompressible), gzip -1.
//   huge:   6 layers of about 105 MiB (about 630 MiB compressed), for the flat-memory check;
//   many:   60 layers of 256 KiB, for the "everything already present" check.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { CACHE_DIR } from './bench-data.mjs';

const KiB = 1024;
const MiB = KiB * KiB;
const SHAPES = {
  huge: Array.from({ length: 6 }, () => 105 * MiB),
  many: Array.from({ length: 60 }, () => 256 * KiB),
};

// a ustar header for one regular file, mode 0644, owner 0:0, mtime 0
function tarHeader(name, size) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0' + '00', 257, 'latin1');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

// the tar stream of one layer; `diff` hashes it on the way (the layer's diff ID)
async function* layerTar(index, size, diff) {
  const emit = (chunk) => {
    diff.update(chunk);
    return chunk;
  };
  yield emit(tarHeader(`blob-${index}.bin`, size));
  const key = createHash('sha256').update(`ferry-bench-${index}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(MiB);
  for (let done = 0; done < size; done += MiB) {
    yield emit(cipher.update(zeros.subarray(0, Math.min(MiB, size - done))));
  }
  yield emit(Buffer.alloc(((512 - (size % 512)) % 512) + 1024));
}

async function writeLayer(blobs, index, size) {
  const diff = createHash('sha256');
  const compressed = createHash('sha256');
  const temp = join(blobs, `.layer-${index}`);
  let bytes = 0;
  const count = async function* (source) {
    for await (const chunk of source) {
      compressed.update(chunk);
      bytes += chunk.length;
      yield chunk;
    }
  };
  await pipeline(Readable.from(layerTar(index, size, diff)), createGzip({ level: 1 }), count, createWriteStream(temp));
  const hex = compressed.digest('hex');
  renameSync(temp, join(blobs, hex));
  return {
    diffId: `sha256:${diff.digest('hex')}`,
    descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex}`, size: bytes },
  };
}

function putJson(blobs, value) {
  const bytes = Buffer.from(JSON.stringify(value));
  const hex = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(blobs, hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

/** Returns `{ layout }` for the named image (`huge` or `many`), tag `bench`, generating it on first use. */
export async function registryImage(name, log) {
  const root = join(CACHE_DIR, 'registry-v1', name);
  const layout = join(root, 'oci');
  if (existsSync(join(layout, 'index.json'))) return { layout };
  log(`generating the ${name} benchmark image in ${root} (once) …`);
  rmSync(root, { recursive: true, force: true });
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const layers = [];
  for (const [i, size] of SHAPES[name].entries()) layers.push(await writeLayer(blobs, i, size));
  const diffIds = layers.map((l) => l.diffId);
  const config = putJson(blobs, {
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/bin'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'bench' })),
  });
  const manifest = putJson(blobs, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: layers.map((l) => l.descriptor),
  });
  writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const ref = { 'org.opencontainers.image.ref.name': 'bench' };
  const entry = { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: ref };
  // index.json last: its presence marks a complete image
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
  return { layout };
}
