// Child process of the SIGKILL test: writes an image with one large layer into a docker archive through the
// built package, printing its progress so the parent can kill it mid-write.
import { createHash } from 'node:crypto';
import { dockerArchiveTransport } from '../../dist/index.js';

const [path, sizeText] = process.argv.slice(2);
const size = Number(sizeText);
const ref = dockerArchiveTransport().parseReference(`${path}:killed:1`);

async function* layerBytes() {
  const block = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
  for (let sent = 0; sent < size; sent += block.byteLength)
    yield block.slice(0, Math.min(block.byteLength, size - sent));
}

const dest = await ref.newImageDestination();
const layer = await dest.putBlob(layerBytes(), {});
const config = new TextEncoder().encode(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [layer.digest] } }));
const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
await dest.putBlob(
  (async function* () {
    yield config;
  })(),
  { digest: configDigest },
  { isConfig: true },
);
const manifest = {
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: {
    mediaType: 'application/vnd.docker.container.image.v1+json',
    size: config.byteLength,
    digest: configDigest,
  },
  layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size: layer.size, digest: layer.digest }],
};
await dest.putManifest({ bytes: new TextEncoder().encode(JSON.stringify(manifest)), mediaType: manifest.mediaType });
process.stdout.write('committing\n');
await dest.commit();
process.stdout.write('committed\n');
await dest[Symbol.asyncDispose]();
