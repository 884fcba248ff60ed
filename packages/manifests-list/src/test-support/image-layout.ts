import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

/** What a test image's config says about its platform (written as is, so a test can leave `os` out). */
export type ConfigPlatform = Readonly<Record<string, unknown>>;

/** A blob as a descriptor names it. */
export interface TestDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** An OCI image layout under construction, written blob by blob. */
export class TestLayout {
  readonly dir: string;
  readonly #refs: { descriptor: TestDescriptor; tag: string }[] = [];

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Starts a layout in the (empty, existing) directory `dir`. */
  static async create(dir: string): Promise<TestLayout> {
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    return new TestLayout(dir);
  }

  /** Writes a blob and returns its descriptor. */
  async blob(mediaType: string, bytes: Uint8Array): Promise<TestDescriptor> {
    const digest = sha256(bytes);
    await writeFile(join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
    return { mediaType, digest, size: bytes.byteLength };
  }

  /** Writes a one-layer image whose config holds `platform`; returns its manifest's descriptor and bytes. */
  async image(platform: ConfigPlatform, salt = ''): Promise<TestDescriptor & { readonly bytes: Uint8Array }> {
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode(salt));
    const layer = await this.blob('application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(tar));
    const config = await this.blob(
      'application/vnd.oci.image.config.v1+json',
      json({ ...platform, rootfs: { type: 'layers', diff_ids: [sha256(tar)] }, config: {} }),
    );
    return this.manifest({ config, layers: [layer] });
  }

  /** Writes an OCI manifest with `config` and `layers` (and any `extra` members). */
  async manifest(parts: {
    config: TestDescriptor;
    layers: TestDescriptor[];
    extra?: Record<string, unknown>;
  }): Promise<TestDescriptor & { readonly bytes: Uint8Array }> {
    const doc = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...parts.extra,
      config: parts.config,
      layers: parts.layers,
    };
    const bytes = json(doc);
    return { ...(await this.blob(doc.mediaType, bytes)), bytes };
  }

  /** Writes an OCI index of `entries` (descriptors with optional platforms). */
  async index(entries: readonly Record<string, unknown>[]): Promise<TestDescriptor & { readonly bytes: Uint8Array }> {
    const doc = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries };
    const bytes = json(doc);
    return { ...(await this.blob(doc.mediaType, bytes)), bytes };
  }

  /** Names `descriptor` `tag` in the layout's `index.json` (written by {@link TestLayout.commit}). */
  tag(descriptor: TestDescriptor, tag: string): void {
    this.#refs.push({ descriptor, tag });
  }

  /** Writes `index.json`. */
  async commit(): Promise<void> {
    const manifests = this.#refs.map(({ descriptor: { mediaType, digest, size }, tag }) => ({
      mediaType,
      digest,
      size,
      annotations: { 'org.opencontainers.image.ref.name': tag },
    }));
    await writeFile(join(this.dir, 'index.json'), json({ schemaVersion: 2, manifests }));
  }
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** Runs skopeo without a policy file and returns its stdout. */
export async function skopeo(...args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('skopeo', ['--insecure-policy', ...args], { maxBuffer: 16 << 20 });
    return stdout;
  } catch (error) {
    throw new Error(`skopeo ${args.join(' ')} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}
