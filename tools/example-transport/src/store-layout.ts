import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Digest } from '@ferry/types';
import { digestAlgorithm, digestHex, ImageError, parseDigest } from '@ferry/types';
import { failure, hasErrno } from './errors.ts';

// A store is a directory:
//   blobs/<algorithm>/<hex>   every blob and manifest, named by its digest
//   index.json                { "version": 1, "images": { "<name>": ImageRecord } }
//   tmp/<uuid>/               what an open destination has staged; never read by a source

/** A manifest the index names: its digest (the file under `blobs/`) and media type. */
export interface ManifestRecord {
  readonly digest: Digest;
  readonly mediaType: string;
}

/** One named image of the store: its top-level manifest and, for a list, the media type of each instance. */
export interface ImageRecord {
  readonly manifest: ManifestRecord;
  readonly instances: Readonly<Record<string, string>>;
}

/** The content of `index.json`. */
export interface StoreIndex {
  readonly version: 1;
  readonly images: Readonly<Record<string, ImageRecord>>;
}

/** Where the blob (or manifest) with this digest lives. */
export function blobPath(root: string, digest: Digest): string {
  return join(root, 'blobs', digestAlgorithm(digest), digestHex(digest));
}

/** A fresh directory for a destination's staged files, inside the store so that commit can rename. */
export function stagingPath(root: string): string {
  return join(root, 'tmp', randomUUID());
}

/** The image named `name`, if the index has one (own properties only: a name may be `constructor`). */
export function imageRecord(index: StoreIndex, name: string): ImageRecord | undefined {
  return Object.hasOwn(index.images, name) ? index.images[name] : undefined;
}

/** Reads `index.json`; a store without one is empty. */
export async function readStoreIndex(root: string, signal?: AbortSignal): Promise<StoreIndex> {
  const file = join(root, 'index.json');
  let text: string;
  try {
    signal?.throwIfAborted();
    text = await readFile(file, 'utf8');
    signal?.throwIfAborted();
  } catch (error) {
    if (hasErrno(error, 'ENOENT')) return { version: 1, images: {} };
    throw failure(error, signal, `cannot read ${file}`);
  }
  try {
    return checkIndex(JSON.parse(text));
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', `${file} is not a cas-dir index`, { cause });
  }
}

/** Replaces `index.json` atomically: a reader sees the old index or the new one, never half of one. */
export async function writeStoreIndex(root: string, index: StoreIndex, signal?: AbortSignal): Promise<void> {
  await writeFileAtomic(join(root, 'index.json'), new TextEncoder().encode(JSON.stringify(index)), signal);
}

/** Writes a file through a temp file beside it and a rename. */
export async function writeFileAtomic(file: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
  const temp = `${file}.${randomUUID()}.tmp`;
  try {
    signal?.throwIfAborted();
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temp, bytes, { flush: true });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw failure(error, signal, `cannot write ${file}`);
  }
}

// parse at the edge: digests become branded `Digest`s here, once
function checkIndex(value: unknown): StoreIndex {
  const index = value as { version?: unknown; images?: unknown };
  if (index?.version !== 1 || typeof index.images !== 'object' || index.images === null) {
    throw new TypeError('expected { version: 1, images: {…} }');
  }
  const images: [string, ImageRecord][] = [];
  for (const [name, record] of Object.entries(index.images as Record<string, unknown>)) {
    const r = record as { manifest?: { digest?: unknown; mediaType?: unknown }; instances?: unknown };
    if (typeof r?.manifest?.digest !== 'string' || typeof r.manifest.mediaType !== 'string') {
      throw new TypeError(`image ${JSON.stringify(name)} has no manifest`);
    }
    const instances = Object.entries((r.instances ?? {}) as Record<string, unknown>).map(([digest, mediaType]) => {
      if (typeof mediaType !== 'string') throw new TypeError(`instance ${digest} has no media type`);
      return [parseDigest(digest), mediaType] as const;
    });
    const manifest = { digest: parseDigest(r.manifest.digest), mediaType: r.manifest.mediaType };
    images.push([name, { manifest, instances: Object.fromEntries(instances) }]);
  }
  // fromEntries defines own properties, so even a name like `__proto__` stays data
  return { version: 1, images: Object.fromEntries(images) };
}
