import { digestBytes, MANIFEST_LIMIT, readLimited } from '@ferry/blob';
import { DOCKER_V2S2_CONFIG_MEDIA_TYPE, DOCKER_V2S2_MEDIA_TYPE } from '@ferry/manifest';
import type {
  BlobInfo,
  BlobStream,
  ByteStream,
  CallOptions,
  Digest,
  ImageReference,
  ManifestBlob,
  Signature,
} from '@ferry/types';
import { ImageError } from '@ferry/types';
import { type BlobRange, INTERNAL, type InternalSource } from '@ferry/types/internal';
import type { ArchiveManifestItem } from './archive-manifest.ts';
import type { ImageSelector } from './choose-image.ts';
import type { DockerArchiveReader } from './docker-archive-reader.ts';
import { readerReference } from './docker-archive-transport.ts';
import { configDiffIds } from './image-config-diff-ids.ts';
import { type LayerFacts, serveLayer } from './layer-facts.ts';
import { mapLimited } from './map-limited.ts';

// layer facts are learnt two at a time: this machine has two cores, and gzip layers are hashed
const FACT_CONCURRENCY = 2;

/**
 * Opens one image of an open archive as a source. With `owns`, disposing of the source closes the reader.
 * @throws {@link ImageError} as `DockerArchiveReader.chooseImage`.
 */
export function openArchiveSource(
  reader: DockerArchiveReader,
  selector: ImageSelector,
  owns: boolean,
  reference?: ImageReference,
): InternalSource {
  const { item, index } = reader.chooseImage(selector);
  return new DockerArchiveSource(reference ?? readerReference(reader, selector), reader, item, index, owns);
}

interface PreparedImage {
  readonly manifest: Uint8Array;
  readonly config: { readonly digest: Digest; readonly bytes: Uint8Array };
  readonly layers: ReadonlyMap<Digest, LayerFacts>;
}

/**
 * An image of a `docker save` archive as a source: a Docker schema 2 manifest is synthesized from
 * `manifest.json` and the config (layer digests and media types by what is stored, see `learnLayerFacts`);
 * blobs are streamed from the archive by positional reads. There are no signatures and no lists.
 */
class DockerArchiveSource implements InternalSource {
  readonly [INTERNAL] = true as const;
  readonly reference: ImageReference;
  readonly supportsRangeReads = true;
  readonly #reader: DockerArchiveReader;
  readonly #item: ArchiveManifestItem;
  readonly #what: string;
  readonly #owns: boolean;
  #prepared: Promise<PreparedImage> | undefined;

  constructor(
    reference: ImageReference,
    reader: DockerArchiveReader,
    item: ArchiveManifestItem,
    index: number,
    owns: boolean,
  ) {
    this.reference = reference;
    this.#reader = reader;
    this.#item = item;
    this.#what = `image @${index} of ${reader.label}`;
    this.#owns = owns;
  }

  async getManifest(instance?: Digest, options: CallOptions = {}): Promise<ManifestBlob> {
    if (instance !== undefined) {
      throw new ImageError('ERR_MANIFEST_UNKNOWN', `${this.#what} is a single image: there is no instance ${instance}`);
    }
    return { bytes: (await this.#prepare(options)).manifest, mediaType: DOCKER_V2S2_MEDIA_TYPE };
  }

  async getBlob(info: BlobInfo, options: CallOptions = {}): Promise<BlobStream> {
    const image = await this.#prepare(options);
    if (info.digest === image.config.digest) {
      return { stream: bytesStream(image.config.bytes), size: image.config.bytes.byteLength };
    }
    const layer = image.layers.get(info.digest);
    if (layer === undefined) throw new ImageError('ERR_BLOB_UNKNOWN', `blob ${info.digest} is not in ${this.#what}`);
    return { stream: serveLayer(this.#reader.archive, layer, signalOnly(options)), size: layer.size };
  }

  async getBlobRange(info: BlobInfo, range: BlobRange, options: CallOptions = {}): Promise<BlobStream> {
    const image = await this.#prepare(options);
    const layer = image.layers.get(info.digest);
    const size = info.digest === image.config.digest ? image.config.bytes.byteLength : layer?.size;
    if (size === undefined) throw new ImageError('ERR_BLOB_UNKNOWN', `blob ${info.digest} is not in ${this.#what}`);
    const start = Math.min(range.offset, size);
    const end = range.length === undefined ? size : Math.min(size, start + range.length);
    if (layer === undefined) return { stream: bytesStream(image.config.bytes.subarray(start, end)), size: end - start };
    if (layer.decompress === undefined) {
      const stream = this.#reader.archive.openMember(layer.entry, { ...signalOnly(options), start, end });
      return { stream, size: end - start };
    }
    return {
      stream: slice(serveLayer(this.#reader.archive, layer, signalOnly(options)), start, end),
      size: end - start,
    };
  }

  async getSignatures(): Promise<readonly Signature[]> {
    return [];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#owns) await this.#reader.close();
  }

  #prepare(options: CallOptions): Promise<PreparedImage> {
    if (this.#prepared === undefined) {
      const prepared = this.#load(options);
      this.#prepared = prepared;
      // a failure (an abort above all) is not kept: the next call tries again
      prepared.catch(() => {
        if (this.#prepared === prepared) this.#prepared = undefined;
      });
    }
    return this.#prepared;
  }

  async #load(options: CallOptions): Promise<PreparedImage> {
    const reader = this.#reader;
    const configEntry = reader.member(this.#item.Config);
    const configWhat = `config ${this.#item.Config} of ${this.#what}`;
    const configBytes = await readLimited(reader.archive.openMember(configEntry, signalOnly(options)), MANIFEST_LIMIT, {
      ...signalOnly(options),
      what: configWhat,
    });
    const diffIds = configDiffIds(configBytes, configWhat);
    if (diffIds.length !== this.#item.Layers.length) {
      throw new ImageError(
        'ERR_INVALID_IMAGE',
        `inconsistent layer count in ${this.#what}: ${this.#item.Layers.length} in manifest.json, ${diffIds.length} in the config`,
      );
    }
    const entries = this.#item.Layers.map((name) => reader.member(name));
    const byMember = new Map<string, Digest>();
    for (const [i, entry] of entries.entries()) {
      const diffId = diffIds[i] as Digest;
      const seen = byMember.get(entry.name);
      if (seen !== undefined && seen !== diffId) {
        throw new ImageError('ERR_INVALID_IMAGE', `layer ${entry.name} of ${this.#what} is used for two diff_ids`);
      }
      byMember.set(entry.name, diffId);
    }
    const facts = await mapLimited(entries, FACT_CONCURRENCY, (entry) =>
      reader.layerFacts(entry, byMember.get(entry.name) as Digest, signalOnly(options)),
    );
    const config = { digest: digestBytes(configBytes), bytes: configBytes };
    const manifest = {
      schemaVersion: 2,
      mediaType: DOCKER_V2S2_MEDIA_TYPE,
      config: { mediaType: DOCKER_V2S2_CONFIG_MEDIA_TYPE, size: configBytes.byteLength, digest: config.digest },
      layers: facts.map((f) => ({ mediaType: f.mediaType, size: f.size, digest: f.digest })),
    };
    return {
      manifest: new TextEncoder().encode(JSON.stringify(manifest)),
      config,
      layers: new Map(facts.map((f) => [f.digest, f])),
    };
  }
}

function signalOnly(options: CallOptions): CallOptions {
  return options.signal === undefined ? {} : { signal: options.signal };
}

async function* bytesStream(bytes: Uint8Array): AsyncGenerator<Uint8Array, void, undefined> {
  yield bytes.slice();
}

async function* slice(stream: ByteStream, start: number, end: number): AsyncGenerator<Uint8Array, void, undefined> {
  let at = 0;
  for await (const chunk of stream) {
    const from = Math.max(start - at, 0);
    const to = Math.min(end - at, chunk.byteLength);
    at += chunk.byteLength;
    if (to > from) yield chunk.subarray(from, to);
    if (at >= end) return;
  }
}
