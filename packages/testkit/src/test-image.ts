import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Digest, TypedManifestBlob } from '@ferry/types';
import { makeTar } from './ustar.ts';
import { ZSTD_LAYER_ENTRIES, zstdLayerFrames } from './zstd-layers.ts';

/** A blob of a test image with its descriptor facts. */
export interface TestBlob {
  /** The bytes as stored. */
  readonly bytes: Uint8Array;
  /** Digest of `bytes`. */
  readonly digest: Digest;
  /** Length of `bytes`. */
  readonly size: number;
  /** Media type in the manifest. */
  readonly mediaType: string;
}

/** A small image: a config, layers and an OCI manifest naming them. */
export interface TestImage {
  /** The image config. */
  readonly config: TestBlob;
  /** The layers: compressed tars (gzip unless {@link TestImageOptions.layerCompression} says zstd). */
  readonly layers: readonly TestBlob[];
  /** Config first, then the layers: every blob the manifest names. */
  readonly blobs: readonly TestBlob[];
  /** The OCI manifest. */
  readonly manifest: TypedManifestBlob & { readonly digest: Digest };
}

/** An OCI index of test images. */
export interface TestImageList {
  /** The instances, in index order. */
  readonly images: readonly TestImage[];
  /** The OCI index. */
  readonly manifest: TypedManifestBlob & { readonly digest: Digest };
}

/** Options of {@link makeTestImage}. */
export interface TestImageOptions {
  /** CPU architecture in the config (and the index entry). @default 'amd64' */
  readonly architecture?: string;
  /**
   * Text that makes images differ: it goes into the gzip layers, and into the config (a label) of a zstd
   * image, whose layers are fixed.
   * @default ''
   */
  readonly salt?: string;
  /**
   * Compression of the layers: `gzip` layers are built on the fly; `zstd` layers are two small precomputed
   * frames (`application/vnd.oci.image.layer.v1.tar+zstd`), so no zstd library is needed.
   * @default 'gzip'
   */
  readonly layerCompression?: 'gzip' | 'zstd';
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

/**
 * Builds a small deterministic image in memory: two gzip (or zstd) layers holding real ustar archives, an OCI
 * config with their diff_ids, and an OCI manifest. The same options always give the same bytes.
 * @example
 * ```ts
 * const image = makeTestImage(); // or makeTestImage({ layerCompression: 'zstd' })
 * for (const blob of image.blobs) await dest.putBlob(streamOf(blob.bytes), blob);
 * await dest.putManifest(image.manifest);
 * ```
 */
export function makeTestImage(options: TestImageOptions = {}): TestImage {
  const architecture = options.architecture ?? 'amd64';
  const salt = options.salt ?? '';
  const zstd = options.layerCompression === 'zstd';
  const tars = zstd ? ZSTD_LAYER_ENTRIES.map((entries) => makeTar(entries)) : gzipLayerTars(architecture, salt);
  const layers = zstd
    ? zstdLayerFrames().map((frame) => blob(frame, OCI_LAYER_ZSTD))
    : tars.map((tar) => blob(gzipDeterministic(tar), OCI_LAYER_GZIP));
  const config = blob(
    json({
      architecture,
      os: 'linux',
      config: { Cmd: ['/usr/bin/hello'], ...(zstd && { Labels: { 'dev.ferry.testkit.salt': salt } }) },
      rootfs: { type: 'layers', diff_ids: tars.map(digestOf) },
      history: [{ created_by: 'testkit layer 1' }, { created_by: 'testkit layer 2' }],
    }),
    OCI_CONFIG,
  );
  const manifestBytes = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(config),
    layers: layers.map(descriptor),
  });
  return {
    config,
    layers,
    blobs: [config, ...layers],
    manifest: { bytes: manifestBytes, mediaType: OCI_MANIFEST, digest: digestOf(manifestBytes) },
  };
}

/**
 * Builds an OCI index of two deterministic images (`linux/amd64` and `linux/arm64`, with different layers).
 * @example
 * ```ts
 * const list = makeTestImageList();
 * await dest.putManifest(list.images[0].manifest, { instance: list.images[0].manifest.digest });
 * ```
 */
export function makeTestImageList(): TestImageList {
  const images = [
    makeTestImage({ architecture: 'amd64', salt: '-amd64' }),
    makeTestImage({ architecture: 'arm64', salt: '-arm64' }),
  ];
  const bytes = json({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((image, i) => ({
      mediaType: OCI_MANIFEST,
      digest: image.manifest.digest,
      size: image.manifest.bytes.byteLength,
      platform: { architecture: i === 0 ? 'amd64' : 'arm64', os: 'linux' },
    })),
  });
  return { images, manifest: { bytes, mediaType: OCI_INDEX, digest: digestOf(bytes) } };
}

/**
 * The sha256 digest of bytes in memory.
 * @example
 * ```ts
 * expect(result.digest).toBe(digestOf(bytes));
 * ```
 */
export function digestOf(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
}

function blob(bytes: Uint8Array, mediaType: string): TestBlob {
  return { bytes, digest: digestOf(bytes), size: bytes.byteLength, mediaType };
}

function descriptor(b: TestBlob): { mediaType: string; digest: string; size: number } {
  return { mediaType: b.mediaType, digest: b.digest, size: b.size };
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function gzipLayerTars(architecture: string, salt: string): Uint8Array[] {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  return [
    makeTar([
      { name: 'etc/' },
      { name: 'etc/hostname', content: text(`ferry${salt}\n`) },
      { name: 'etc/motd', content: text(`made by @ferry/testkit for ${architecture}\n`.repeat(20)) },
    ]),
    makeTar([
      { name: 'usr/' },
      { name: 'usr/bin/' },
      { name: 'usr/bin/hello', content: text(`#!/bin/sh\necho hello ${salt}\n`), mode: 0o755 },
    ]),
  ];
}

// zlib writes the OS it was built for into byte 9 of the gzip header; 255 ("unknown") makes it portable
function gzipDeterministic(bytes: Uint8Array): Uint8Array {
  const gz = new Uint8Array(gzipSync(bytes, { level: 9 }));
  gz[9] = 255;
  return gz;
}
