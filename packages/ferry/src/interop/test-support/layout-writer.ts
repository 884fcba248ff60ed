import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** An OCI descriptor as written into manifests and `index.json`. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { readonly architecture: string; readonly os: string };
  readonly annotations?: Record<string, string>;
}

/** A layer ready to be stored: its compressed bytes, media type and diff_id. */
export interface BuiltLayer {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly diffId: string;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
export const REF_NAME = 'org.opencontainers.image.ref.name';

/** `sha256:<hex>` of some bytes. */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Tars `root` with GNU tar, deterministically (sorted names, mtime 0, uid/gid 0). */
export function gnuTar(root: string): Buffer {
  return execFileSync(
    '/usr/bin/tar',
    [
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mode=u+rwX,go+rX,go-w',
      '--format=gnu',
      '-C',
      root,
      '-cf',
      '-',
      '.',
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
}

/** Compresses a layer tar: gzip (no name, no time) or the `zstd` CLI. */
export function compressLayer(tar: Buffer, format: 'gzip' | 'zstd'): BuiltLayer {
  const bytes =
    format === 'gzip'
      ? gzipSync(tar, { level: 6 })
      : execFileSync('zstd', ['-q', '-3', '--no-progress', '-c'], { input: tar, maxBuffer: 256 * 1024 * 1024 });
  return { bytes, mediaType: format === 'gzip' ? LAYER_GZIP : LAYER_ZSTD, diffId: sha256(tar) };
}

/** An OCI image layout being written by hand. */
export class LayoutWriter {
  readonly root: string;
  private readonly entries: Descriptor[] = [];

  constructor(root: string) {
    this.root = root;
    mkdirSync(join(root, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  }

  /** Stores a blob and returns its descriptor. */
  blob(bytes: Uint8Array, mediaType: string): Descriptor {
    const digest = sha256(bytes);
    writeFileSync(join(this.root, 'blobs', 'sha256', digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.length };
  }

  /** Stores a config and a manifest for `layers`; returns the manifest's descriptor. */
  image(layers: readonly BuiltLayer[], platform: { architecture: string; os: string }, created: string): Descriptor {
    const config = {
      created,
      architecture: platform.architecture,
      os: platform.os,
      config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created, created_by: `layer ${i}` })),
    };
    const configDesc = this.blob(Buffer.from(JSON.stringify(config)), OCI_CONFIG);
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: configDesc,
      layers: layers.map((l) => this.blob(l.bytes, l.mediaType)),
    };
    return this.blob(Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
  }

  /** Stores an index of `manifests`; returns its descriptor. */
  index(manifests: readonly Descriptor[]): Descriptor {
    const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
    return this.blob(Buffer.from(JSON.stringify(index)), OCI_INDEX);
  }

  /** Adds `desc` to `index.json` under `tag` and rewrites it. */
  tag(desc: Descriptor, tag: string): void {
    this.entries.push({
      mediaType: desc.mediaType,
      digest: desc.digest,
      size: desc.size,
      annotations: { [REF_NAME]: tag },
    });
    const index = { schemaVersion: 2, manifests: this.entries };
    writeFileSync(join(this.root, 'index.json'), JSON.stringify(index));
  }
}

/** Reads the blob named by `digest` from the layout at `root`. */
export function readBlob(root: string, digest: string): Buffer {
  return readFileSync(join(root, 'blobs', 'sha256', digest.replace(/^sha256:/, '')));
}
