import { digestOf, makeTar, type TestBlob, type TestImage } from '@ferry/testkit';

const V2S2 = 'application/vnd.docker.distribution.manifest.v2+json';
const CONFIG = 'application/vnd.docker.container.image.v1+json';
const LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

function blob(bytes: Uint8Array, mediaType: string): TestBlob {
  return { bytes, digest: digestOf(bytes), size: bytes.byteLength, mediaType };
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * A small Docker schema 2 image with uncompressed layers, whose manifest is serialized exactly as the
 * archive source synthesizes one, so it reads back byte for byte.
 */
export function makeV2s2Image(salt = '', layerCount = 2): TestImage {
  const tars = Array.from({ length: layerCount }, (_, i) =>
    makeTar([
      { name: `layer${i}/` },
      { name: `layer${i}/file`, content: text(`layer ${i} of ${salt}\n`.repeat(10 + i)) },
    ]),
  );
  const layers = tars.map((t) => blob(t, LAYER));
  const config = blob(
    text(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created: '2024-01-01T00:00:00Z',
        config: { Cmd: ['/bin/sh'] },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      }),
    ),
    CONFIG,
  );
  const d = (b: TestBlob): object => ({ mediaType: b.mediaType, size: b.size, digest: b.digest });
  const bytes = text(JSON.stringify({ schemaVersion: 2, mediaType: V2S2, config: d(config), layers: layers.map(d) }));
  return {
    config,
    layers,
    blobs: [config, ...layers],
    manifest: { bytes, mediaType: V2S2, digest: digestOf(bytes) },
  };
}
