// The input of the lists suite, cached in the OS temp directory: one OCI layout holding two distinct images,
// tagged `amd64` and `arm64` (linux), each of 60 layers of 256 KiB (the shape of the registry suite's `many`).
// A layer holds one file of pseudo-random bytes (AES-CTR of zeros under a key derived from platform and index:
// deterministic, incompressible, no layer shared between the two images), gzip -1.
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CACHE_DIR } from './bench-data.mjs';

const LAYERS = 60;
const LAYER_BYTES = 256 * 1024;
export const LIST_ARCHES = ['amd64', 'arm64'];
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

// a ustar header for one regular file, mode 0644, owner 0:0, mtime 0
function tarHeader(name, size) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  for (const [at, text] of [
    [100, '0000644\0'],
    [108, '0000000\0'],
    [116, '0000000\0'],
    [124, `${size.toString(8).padStart(11, '0')}\0`],
    [136, '00000000000\0'],
    [148, '        '],
    [156, '0'],
    [257, 'ustar\x0000'],
  ])
    h.write(text, at, 'latin1');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

// the uncompressed tar of one layer, all in memory (256 KiB)
function layerTar(arch, index) {
  const key = createHash('sha256').update(`ferry-lists-${arch}-${index}`).digest();
  const data = createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(LAYER_BYTES));
  const pad = Buffer.alloc(((512 - (LAYER_BYTES % 512)) % 512) + 1024);
  return Buffer.concat([tarHeader(`${arch}-${index}.bin`, LAYER_BYTES), data, pad]);
}

function putBlob(blobs, bytes) {
  const hex = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(blobs, hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

function writeImage(blobs, arch) {
  const layers = [];
  const diffIds = [];
  for (let i = 0; i < LAYERS; i++) {
    const tar = layerTar(arch, i);
    diffIds.push(`sha256:${createHash('sha256').update(tar).digest('hex')}`);
    layers.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      ...putBlob(blobs, gzipSync(tar, { level: 1 })),
    });
  }
  const config = putBlob(
    blobs,
    Buffer.from(
      JSON.stringify({
        created: '2024-01-01T00:00:00Z',
        architecture: arch,
        os: 'linux',
        config: { Env: ['PATH=/usr/bin'] },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: diffIds.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'bench' })),
      }),
    ),
  );
  const manifest = putBlob(
    blobs,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers,
      }),
    ),
  );
  return {
    mediaType: OCI_MANIFEST,
    ...manifest,
    platform: { architecture: arch, os: 'linux' },
    annotations: { 'org.opencontainers.image.ref.name': arch },
  };
}

/** Returns `{ layout }`: the OCI layout with tags `amd64` and `arm64`, generating it on first use. */
export async function listImages(log) {
  const root = join(CACHE_DIR, 'lists-v1');
  const layout = join(root, 'oci');
  if (existsSync(join(layout, 'index.json'))) return { layout };
  log(`generating the lists benchmark images in ${root} (once) …`);
  rmSync(root, { recursive: true, force: true });
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const manifests = [];
  for (const arch of LIST_ARCHES) manifests.push(writeImage(blobs, arch));
  writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  // index.json last (by rename): its presence marks a complete layout
  writeFileSync(join(root, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
  renameSync(join(root, 'index.json'), join(layout, 'index.json'));
  return { layout };
}
