// An in-memory transport for tests: it follows the contract (verification, staging until commit, type
// rejection) and records what callers did, with hooks for fault injection. Not built, not published.
import { digestBytes } from '@ferry/blob';
import { guessMediaType, manifestDigest } from '@ferry/manifest';
import type {
  BlobInfo,
  ByteStream,
  DestinationTraits,
  Digest,
  ImageReference,
  ManifestBlob,
  Signature,
  StoredBlob,
  Transport,
  TypedManifestBlob,
} from '@ferry/types';
import { ImageError } from '@ferry/types';
import {
  completeTraits,
  INTERNAL,
  type InternalDestination,
  type InternalReuseOptions,
  type InternalSource,
} from '@ferry/types/internal';

/** What one named image in the store holds. */
export interface MemoryImage {
  blobs: Map<Digest, Uint8Array>;
  top: TypedManifestBlob | undefined;
  instances: Map<Digest, TypedManifestBlob>;
  signatures: Map<string, readonly Signature[]>;
}

/** Records and hooks of the transport. */
export interface MemoryStats {
  getBlobCalls: Digest[];
  putBlobCalls: (Digest | undefined)[];
  reuseCalls: { info: BlobInfo; options: InternalReuseOptions | undefined }[];
  putManifestCalls: { mediaType: string; instance: Digest | undefined }[];
  putSignatureCalls: number;
  commits: number;
  disposedWithoutCommit: number;
  concurrentPuts: number;
  maxConcurrentPuts: number;
  openStreams: number;
  policyChecks: number;
}

/** How destinations opened on the transport behave. */
export interface MemoryOptions {
  traits?: DestinationTraits;
  /** Types putManifest refuses with ERR_MANIFEST_TYPE_REJECTED. */
  rejectTypes?: readonly string[];
  /** Bytes per chunk of getBlob streams. */
  chunkSize?: number;
  /** Milliseconds to wait before each chunk. */
  chunkDelay?: number;
  /** Called when a source chunk is produced (digest, chunk index). */
  onChunk?: (digest: Digest, index: number) => void;
  /** Replaces the bytes getBlob returns (to corrupt them). */
  tamper?: (digest: Digest, bytes: Uint8Array) => Uint8Array;
}

/** A transport plus its store and records. */
export interface MemoryWorld {
  readonly transport: Transport;
  readonly images: Map<string, MemoryImage>;
  readonly stats: MemoryStats;
  readonly options: MemoryOptions;
  ref(name: string): ImageReference;
  image(name: string): MemoryImage;
}

export function emptyImage(): MemoryImage {
  return { blobs: new Map(), top: undefined, instances: new Map(), signatures: new Map() };
}

export function memoryWorld(options: MemoryOptions = {}): MemoryWorld {
  const images = new Map<string, MemoryImage>();
  const stats: MemoryStats = {
    getBlobCalls: [],
    putBlobCalls: [],
    reuseCalls: [],
    putManifestCalls: [],
    putSignatureCalls: 0,
    commits: 0,
    disposedWithoutCommit: 0,
    concurrentPuts: 0,
    maxConcurrentPuts: 0,
    openStreams: 0,
    policyChecks: 0,
  };
  const image = (name: string): MemoryImage => {
    let found = images.get(name);
    if (found === undefined) {
      found = emptyImage();
      images.set(name, found);
    }
    return found;
  };
  const world: MemoryWorld = {
    images,
    stats,
    options,
    image,
    ref: (name) => transport.parseReference(name),
    transport: undefined as never,
  };
  const transport: Transport = {
    name: 'memory',
    parseReference: (name) => makeReference(world, transport, name),
  };
  (world as { transport: Transport }).transport = transport;
  return world;
}

function makeReference(world: MemoryWorld, transport: Transport, name: string): ImageReference {
  const ref: ImageReference = {
    transport,
    withinTransport: name,
    policyIdentity: name,
    policyNamespaces: [],
    newImageSource: async (o) => {
      o?.signal?.throwIfAborted();
      if (!world.images.has(name)) throw new ImageError('ERR_MANIFEST_UNKNOWN', `memory:${name} does not exist`);
      return makeSource(world, ref, name);
    },
    newImageDestination: async (o) => {
      o?.signal?.throwIfAborted();
      return makeDestination(world, ref, name);
    },
  };
  return ref;
}

function makeSource(world: MemoryWorld, reference: ImageReference, name: string): InternalSource {
  const img = world.image(name);
  return {
    [INTERNAL]: true,
    reference,
    supportsRangeReads: false,
    getManifest: async (instance) => {
      const found = instance === undefined ? img.top : img.instances.get(instance);
      if (found === undefined) throw new ImageError('ERR_MANIFEST_UNKNOWN', `no manifest ${instance ?? ''}`);
      return found;
    },
    getBlob: async (info, o) => {
      o?.signal?.throwIfAborted();
      world.stats.getBlobCalls.push(info.digest);
      const stored = img.blobs.get(info.digest);
      if (stored === undefined) throw new ImageError('ERR_BLOB_UNKNOWN', `no blob ${info.digest}`);
      const bytes = world.options.tamper?.(info.digest, stored) ?? stored;
      return { stream: trackedStream(world, info.digest, bytes), size: bytes.byteLength };
    },
    getBlobRange: async () => {
      throw new ImageError('ERR_NOT_IMPLEMENTED', 'no ranges');
    },
    getSignatures: async (instance) => img.signatures.get(instance ?? '') ?? [],
    [Symbol.asyncDispose]: async () => undefined,
  };
}

function trackedStream(world: MemoryWorld, digest: Digest, bytes: Uint8Array): ByteStream {
  const { chunkSize = 1024, chunkDelay = 0, onChunk } = world.options;
  world.stats.openStreams++;
  let at = 0;
  let index = 0;
  let open = true;
  const close = (): void => {
    if (open) world.stats.openStreams--;
    open = false;
  };
  const iterator: AsyncIterator<Uint8Array> = {
    async next() {
      if (!open) return { done: true, value: undefined };
      if (chunkDelay > 0) await new Promise((r) => setTimeout(r, chunkDelay));
      if (at >= bytes.byteLength) {
        close();
        return { done: true, value: undefined };
      }
      const chunk = bytes.subarray(at, at + chunkSize);
      at += chunk.byteLength;
      onChunk?.(digest, index++);
      return { done: false, value: chunk };
    },
    async return() {
      close();
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

function makeDestination(world: MemoryWorld, reference: ImageReference, name: string): InternalDestination {
  const staged = emptyImage();
  let committed = false;
  const stats = world.stats;
  const reject = world.options.rejectTypes ?? [];
  return {
    [INTERNAL]: true,
    reference,
    traits: completeTraits(world.options.traits),
    committedManifestDigest: undefined,
    async putBlob(stream, info, o): Promise<StoredBlob> {
      stats.putBlobCalls.push(info.digest);
      stats.concurrentPuts++;
      stats.maxConcurrentPuts = Math.max(stats.maxConcurrentPuts, stats.concurrentPuts);
      try {
        const chunks: Uint8Array[] = [];
        for await (const chunk of stream) {
          o?.signal?.throwIfAborted();
          chunks.push(chunk);
        }
        const bytes = Buffer.concat(chunks);
        const digest = digestBytes(bytes);
        if (info.digest !== undefined && digest !== info.digest) {
          throw new ImageError('ERR_DIGEST_MISMATCH', `expected ${info.digest}, got ${digest}`);
        }
        if (info.size !== undefined && bytes.byteLength !== info.size) {
          throw new ImageError('ERR_SIZE_MISMATCH', `expected ${info.size} bytes, got ${bytes.byteLength}`);
        }
        staged.blobs.set(digest, new Uint8Array(bytes));
        return { digest, size: bytes.byteLength };
      } finally {
        stats.concurrentPuts--;
      }
    },
    async tryReusingBlob(info, options) {
      stats.reuseCalls.push({ info, options });
      const have = staged.blobs.get(info.digest) ?? world.images.get(name)?.blobs.get(info.digest);
      if (have === undefined) return undefined;
      staged.blobs.set(info.digest, have);
      return { digest: info.digest, size: have.byteLength };
    },
    async putManifest(manifest: TypedManifestBlob, o) {
      stats.putManifestCalls.push({ mediaType: manifest.mediaType, instance: o?.instance });
      if (reject.includes(manifest.mediaType)) {
        throw new ImageError('ERR_MANIFEST_TYPE_REJECTED', `memory refuses ${manifest.mediaType}`);
      }
      if (o?.instance === undefined) staged.top = manifest;
      else staged.instances.set(o.instance, manifest);
    },
    async putSignatures(signatures, o) {
      stats.putSignatureCalls++;
      const kinds = completeTraits(world.options.traits).supportedSignatureKinds;
      if (signatures.some((s) => !kinds.includes(s.kind))) throw new ImageError('ERR_NOT_IMPLEMENTED', 'no signatures');
      staged.signatures.set(o?.instance ?? '', signatures);
    },
    async commit() {
      const target = world.image(name);
      for (const [d, b] of staged.blobs) target.blobs.set(d, b);
      for (const [d, m] of staged.instances) target.instances.set(d, m);
      for (const [k, s] of staged.signatures) target.signatures.set(k, s);
      if (staged.top !== undefined) target.top = staged.top;
      committed = true;
      stats.commits++;
    },
    async [Symbol.asyncDispose]() {
      if (!committed) stats.disposedWithoutCommit++;
    },
  };
}

/** Stores a blob in an image, returning its digest. */
export function addBlob(img: MemoryImage, bytes: Uint8Array): Digest {
  const digest = digestBytes(bytes);
  img.blobs.set(digest, bytes);
  return digest;
}

/** Stores a manifest as the top-level one or as an instance, returning its digest. */
export function addManifest(img: MemoryImage, manifest: ManifestBlob, asInstance = false): Digest {
  const mediaType = manifest.mediaType ?? guessMediaType(manifest.bytes);
  const digest = manifestDigest(manifest.bytes);
  if (asInstance) img.instances.set(digest, { bytes: manifest.bytes, mediaType });
  else img.top = { bytes: manifest.bytes, mediaType };
  return digest;
}
