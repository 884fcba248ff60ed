import { type FileHandle, open } from 'node:fs/promises';
import { createTarWriter } from '@ferry/tar';
import type { CallOptions, Digest } from '@ferry/types';
import { digestHex, ImageError } from '@ferry/types';
import { MANIFEST_JSON } from './archive-manifest.ts';
import { goJson } from './go-json.ts';
import { legacyLayers, repositoriesJson } from './legacy-metadata.ts';

/** A blob staged in its own file. */
export interface StagedBlob {
  readonly path: string;
  /** Where the blob's bytes start in the file (room for a tar header is left before them). */
  readonly dataOffset: number;
  readonly digest: Digest;
  readonly size: number;
}

/** One image to write: its config, its layers in order, and its tags (`name:tag`, fully qualified). */
export interface ArchiveImage {
  readonly config: StagedBlob;
  readonly configBytes: Uint8Array;
  readonly layers: readonly StagedBlob[];
  readonly repoTags: readonly { readonly name: string; readonly tag: string }[];
}

/** The member name of a layer: `<hex>.tar`, as containers/image names it. */
export function layerMemberName(digest: Digest): string {
  return `${digestHex(digest)}.tar`;
}

/** Options of {@link writeArchive}. */
export interface WriteArchiveOptions extends CallOptions {
  /** Members the file holds already (a layer the archive was started from); they are not written again. */
  readonly alreadyWritten?: readonly string[];
}

// staged files are copied in blocks this large; the next block is read while the previous one is written
const READ_BLOCK = 4 * 1024 * 1024;

/**
 * Writes a `docker save` archive as containers/image's `tarfile.Writer` lays it out: per image the config
 * `<hex>.json`, the layers `<hex>.tar` (each digest once in the whole archive), the legacy directories
 * (`ID/layer.tar` symlink to `../<hex>.tar`, `ID/VERSION`, `ID/json`); then `manifest.json` and
 * `repositories`. Images with the same config are merged into one item with the union of their tags.
 *
 * @throws {@link ImageError} `ERR_IO`; an abort throws `signal.reason`.
 */
export async function writeArchive(
  handle: FileHandle,
  images: readonly ArchiveImage[],
  options: WriteArchiveOptions = {},
): Promise<void> {
  const tar = createTarWriter(handle, options);
  const written = new Set<string>(options.alreadyWritten);
  const items: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
  const byConfig = new Map<Digest, (typeof items)[number]>();
  const repositories = new Map<string, Map<string, string>>();
  const addStaged = async (name: string, blob: StagedBlob): Promise<void> => {
    if (written.has(name)) return;
    await tar.addFile(name, blob.size, readStaged(blob, options.signal), options);
    written.add(name);
  };
  for (const image of images) {
    const configName = `${digestHex(image.config.digest)}.json`;
    await addStaged(configName, image.config);
    const layerNames: string[] = [];
    for (const layer of image.layers) {
      const name = layerMemberName(layer.digest);
      await addStaged(name, layer);
      layerNames.push(name);
    }
    const legacy = legacyLayers(
      image.layers.map((l) => l.digest),
      image.configBytes,
    );
    for (const layer of legacy) {
      if (written.has(layer.id)) continue;
      await tar.addSymlink(`${layer.id}/layer.tar`, `../${digestHex(layer.digest)}.tar`, options);
      await tar.addBytes(`${layer.id}/VERSION`, new TextEncoder().encode('1.0'), options);
      await tar.addBytes(`${layer.id}/json`, layer.json, options);
      written.add(layer.id);
    }
    let item = byConfig.get(image.config.digest);
    if (item === undefined) {
      item = { Config: configName, RepoTags: [], Layers: layerNames };
      byConfig.set(image.config.digest, item);
      items.push(item);
    }
    const top = legacy.at(-1)?.id;
    for (const { name, tag } of image.repoTags) {
      const text = `${name}:${tag}`;
      if (!item.RepoTags.includes(text)) item.RepoTags.push(text);
      if (top === undefined) continue;
      const tags = repositories.get(name) ?? new Map<string, string>();
      tags.set(tag, top);
      repositories.set(name, tags);
    }
  }
  await tar.addBytes(MANIFEST_JSON, new TextEncoder().encode(goJson(items)), options);
  await tar.addBytes('repositories', repositoriesJson(repositories), options);
  await tar.finish(options);
}

// positional reads, one block ahead, so reading the next block overlaps writing this one
async function* readStaged(blob: StagedBlob, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await open(blob.path, 'r');
  } catch (cause) {
    throw new ImageError('ERR_IO', `opening staged blob ${blob.digest}`, { cause });
  }
  let next: Promise<Uint8Array> | undefined;
  try {
    const read = async (position: number): Promise<Uint8Array> => {
      const length = Math.min(READ_BLOCK, blob.size - position);
      const buffer = Buffer.allocUnsafe(length);
      let at = 0;
      while (at < length) {
        const { bytesRead } = await handle.read(buffer, at, length - at, blob.dataOffset + position + at);
        if (bytesRead === 0) throw new ImageError('ERR_IO', `staged blob ${blob.digest} shrank`);
        at += bytesRead;
      }
      return buffer;
    };
    let position = 0;
    next = blob.size > 0 ? read(0) : undefined;
    while (next !== undefined) {
      const chunk = await next.catch((cause: unknown) => {
        throw cause instanceof ImageError
          ? cause
          : new ImageError('ERR_IO', `reading staged blob ${blob.digest}`, { cause });
      });
      position += chunk.byteLength;
      next = position < blob.size ? read(position) : undefined;
      // an unawaited read must not become an unhandled rejection if the consumer stops here
      next?.catch(() => undefined);
      signal?.throwIfAborted();
      yield chunk;
    }
  } finally {
    await next?.catch(() => undefined);
    await handle.close().catch(() => undefined);
  }
}
