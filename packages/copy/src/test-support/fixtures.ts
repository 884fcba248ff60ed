// Deterministic images for the copy tests, stored into a MemoryImage.
import { compressStream, decompressStream, digestBytes } from '@ferry/blob';
import type { Digest, TypedManifestBlob } from '@ferry/types';
import { addBlob, addManifest, type MemoryImage } from './memory-transport.ts';

export type Compression = 'gzip' | 'zstd' | 'none';

export interface BuiltLayer {
  readonly digest: Digest;
  readonly size: number;
  readonly diffId: Digest;
}

export interface BuiltImage {
  readonly manifest: TypedManifestBlob;
  readonly digest: Digest;
  readonly configDigest: Digest;
  readonly layers: readonly BuiltLayer[];
}

export interface ImageSpec {
  readonly format?: 'oci' | 'docker';
  readonly layers?: readonly Compression[];
  readonly architecture?: string;
  readonly variant?: string;
  readonly salt?: string;
  /** Bytes of plain layer content. */
  readonly layerSize?: number;
  readonly asInstance?: boolean;
}

const OCI_TYPES: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};
const DOCKER_TYPES: Record<Compression, string> = {
  gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  zstd: 'invalid',
  none: 'application/vnd.docker.image.rootfs.diff.tar',
};

export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c);
  return new Uint8Array(Buffer.concat(chunks));
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

export async function compress(bytes: Uint8Array, c: Compression): Promise<Uint8Array> {
  return c === 'none' ? bytes : collect(compressStream(once(bytes), c));
}

export async function decompress(bytes: Uint8Array, c: Compression): Promise<Uint8Array> {
  return c === 'none' ? bytes : collect(decompressStream(once(bytes), c));
}

function plainLayer(seed: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = 0;
  for (const ch of seed) x = (x * 31 + ch.charCodeAt(0)) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    // half random, half repetitive, so compression does something
    out[i] = i % 2 === 0 ? x >>> 24 : 65 + (i % 7);
  }
  return out;
}

const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

export async function buildImage(img: MemoryImage, spec: ImageSpec = {}): Promise<BuiltImage> {
  const format = spec.format ?? 'oci';
  const architecture = spec.architecture ?? 'amd64';
  const layers: BuiltLayer[] = [];
  const descriptors: { mediaType: string; digest: Digest; size: number }[] = [];
  for (const [i, c] of (spec.layers ?? ['gzip', 'gzip']).entries()) {
    const plain = plainLayer(`${spec.salt ?? ''}${architecture}${i}`, spec.layerSize ?? 20_000);
    const bytes = await compress(plain, c);
    const digest = addBlob(img, bytes);
    layers.push({ digest, size: bytes.byteLength, diffId: digestBytes(plain) });
    descriptors.push({ mediaType: (format === 'oci' ? OCI_TYPES : DOCKER_TYPES)[c], digest, size: bytes.byteLength });
  }
  const config = json({
    architecture,
    os: 'linux',
    ...(spec.variant === undefined ? {} : { variant: spec.variant }),
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created_by: 'test' })),
  });
  const configDigest = addBlob(img, config);
  const mediaType =
    format === 'oci'
      ? 'application/vnd.oci.image.manifest.v1+json'
      : 'application/vnd.docker.distribution.manifest.v2+json';
  const manifest = {
    bytes: json({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType:
          format === 'oci'
            ? 'application/vnd.oci.image.config.v1+json'
            : 'application/vnd.docker.container.image.v1+json',
        digest: configDigest,
        size: config.byteLength,
      },
      layers: descriptors,
    }),
    mediaType,
  };
  const digest = addManifest(img, manifest, spec.asInstance === true);
  return { manifest, digest, configDigest, layers };
}

export interface BuiltList {
  readonly digest: Digest;
  readonly manifest: TypedManifestBlob;
  readonly instances: readonly BuiltImage[];
}

export async function buildList(
  img: MemoryImage,
  format: 'oci' | 'docker',
  specs: readonly ImageSpec[],
): Promise<BuiltList> {
  const instances: BuiltImage[] = [];
  for (const spec of specs) instances.push(await buildImage(img, { format, ...spec, asInstance: true }));
  const mediaType =
    format === 'oci'
      ? 'application/vnd.oci.image.index.v1+json'
      : 'application/vnd.docker.distribution.manifest.list.v2+json';
  const manifest = {
    bytes: json({
      schemaVersion: 2,
      mediaType,
      manifests: instances.map((inst, i) => ({
        mediaType: inst.manifest.mediaType,
        digest: inst.digest,
        size: inst.manifest.bytes.byteLength,
        platform: {
          architecture: specs[i]?.architecture ?? 'amd64',
          os: 'linux',
          ...(specs[i]?.variant === undefined ? {} : { variant: specs[i]?.variant }),
        },
      })),
    }),
    mediaType,
  };
  const digest = addManifest(img, manifest);
  return { digest, manifest, instances };
}
