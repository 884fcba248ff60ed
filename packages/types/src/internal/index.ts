/**
 * The private contract between first-party Ferry packages. No semver promise: all `@ferry/*` packages are
 * released together, so this never mismatches among them. Third parties implement the public interfaces;
 * {@link asInternalSource} and {@link asInternalDestination} fill in what they leave out.
 *
 * @packageDocumentation
 */
import type { BlobInfo, ByteStream, CompressionAlgorithm, PutBlobInfo, ReusedBlob, StoredBlob } from '../blob-info.ts';
import type { Digest } from '../digest.ts';
import { ImageError } from '../errors.ts';
import type { CallOptions } from '../options.ts';
import type { Signature } from '../signature.ts';
import type {
  BlobStream,
  DestinationTraits,
  ImageDestination,
  ImageReference,
  ImageSource,
  PutBlobOptions,
  PutManifestOptions,
  ReuseOptions,
} from '../transport.ts';
import type { BlobInfoCache } from './blob-info-cache.ts';

export { type BlobInfoCache, type BlobLocation, NO_CACHE } from './blob-info-cache.ts';

/**
 * Brand of first-party sources and destinations. The version in the key changes whenever the private
 * contract changes incompatibly, so an object from another release is treated as third-party.
 */
export const INTERNAL: unique symbol = Symbol.for('ferry.internal.v1') as never;

/** A byte range of a blob. */
export interface BlobRange {
  /** First byte. */
  readonly offset: number;
  /** Number of bytes; absent means to the end (a resumed download often does not know the size). */
  readonly length?: number;
}

/** Options of {@link InternalSource.getBlob}. */
export interface InternalGetBlobOptions extends CallOptions {
  /** Where to record what is learnt about the blob. */
  readonly cache?: BlobInfoCache;
}

/** A source with every optional member of {@link ImageSource} present. */
export interface InternalSource extends ImageSource {
  /** First-party brand. */
  readonly [INTERNAL]: true;
  /** Reads a blob; see {@link ImageSource.getBlob}. */
  getBlob(info: BlobInfo, options?: InternalGetBlobOptions): Promise<BlobStream>;
  /** Signatures for the manifest (or `instance`); empty when the transport stores none. */
  getSignatures(instance?: Digest, options?: CallOptions): Promise<readonly Signature[]>;
  /** Whether {@link InternalSource.getBlobRange} can read part of a blob cheaply. */
  readonly supportsRangeReads: boolean;
  /** Reads part of a blob. Throws `ERR_NOT_IMPLEMENTED` when `supportsRangeReads` is false. */
  getBlobRange(info: BlobInfo, range: BlobRange, options?: CallOptions): Promise<BlobStream>;
}

/** Hints the copy pipeline gives a destination about a blob. */
export interface InternalPutBlobOptions extends PutBlobOptions {
  /** Position of the layer in the manifest, when the blob is a layer. */
  readonly layerIndex?: number;
  /** True when the layer is known to be an empty tar (schema 1 throwaway layers). */
  readonly emptyLayer?: boolean;
  /** Where to record what is learnt about the blob. */
  readonly cache?: BlobInfoCache;
  /**
   * The caller verifies `stream` against `info.digest` and `info.size` itself: the stream throws before it
   * ends when they do not match. A destination MAY then skip hashing the bytes again (it still MUST discard
   * everything it stored when the stream throws).
   */
  readonly verifiedByCaller?: boolean;
}

/** Hints the copy pipeline gives a destination when asking it to reuse a blob. */
export interface InternalReuseOptions extends ReuseOptions {
  /** Position of the layer in the manifest, when the blob is a layer. */
  readonly layerIndex?: number;
  /** True when the layer is known to be an empty tar. */
  readonly emptyLayer?: boolean;
  /** The source image, so a registry can mount from it before any location was recorded. */
  readonly sourceReference?: ImageReference;
  /** A substitute MUST have this compression (e.g. `zstd` under `--dest-compress-format zstd`). */
  readonly requiredCompression?: CompressionAlgorithm | 'none';
  /** Manifest types the result may be written into; a substitute MUST fit one of them. */
  readonly possibleManifestMediaTypes?: readonly string[];
  /** Where to look for candidate locations and record reuse. */
  readonly cache?: BlobInfoCache;
}

/** A destination with every optional member of {@link ImageDestination} present. */
export interface InternalDestination extends ImageDestination {
  /** First-party brand. */
  readonly [INTERNAL]: true;
  /** Traits with every default filled in. */
  readonly traits: Required<DestinationTraits>;
  /** Stores a blob; see {@link ImageDestination.putBlob}. */
  putBlob(stream: ByteStream, info: PutBlobInfo, options?: InternalPutBlobOptions): Promise<StoredBlob>;
  /** Reuses a blob; `undefined` when it cannot (always, for a destination without reuse). */
  tryReusingBlob(info: BlobInfo, options?: InternalReuseOptions): Promise<ReusedBlob | undefined>;
  /**
   * Stores signatures. Throws `ERR_NOT_IMPLEMENTED` for a list holding a kind that is not in
   * `traits.supportedSignatureKinds`; an empty list is always accepted.
   */
  putSignatures(signatures: readonly Signature[], options?: PutManifestOptions): Promise<void>;
  /** The digest of the top-level manifest once `commit` resolved, for destinations that compute one. */
  readonly committedManifestDigest: Digest | undefined;
}

/** The defaults a third-party destination's traits are completed with. */
export const DEFAULT_TRAITS: Readonly<Required<DestinationTraits>> = Object.freeze({
  supportedManifestMediaTypes: Object.freeze([]) as readonly string[],
  supportedSignatureKinds: Object.freeze([]) as readonly Signature['kind'][],
  desiredLayerCompression: 'preserve',
  acceptsForeignLayerURLs: false,
  mustMatchRuntimeOS: false,
  ignoresEmbeddedDockerReference: false,
  supportsConcurrentBlobWrites: false,
  supportsManifestLists: false,
});

/**
 * Completes traits with {@link DEFAULT_TRAITS}; keys that are not traits are dropped. An empty
 * `supportedManifestMediaTypes` means "any type".
 * @example
 * ```ts
 * const traits = completeTraits({ supportsConcurrentBlobWrites: true });
 * ```
 */
export function completeTraits(traits: DestinationTraits | undefined): Required<DestinationTraits> {
  const out: Record<string, unknown> = { ...DEFAULT_TRAITS };
  for (const key of Object.keys(DEFAULT_TRAITS)) {
    const value = (traits as Record<string, unknown> | undefined)?.[key];
    if (value !== undefined) out[key] = value;
  }
  return Object.freeze(out) as Required<DestinationTraits>;
}

function isInternal(value: object): boolean {
  return (value as { [INTERNAL]?: unknown })[INTERNAL] === true;
}

/**
 * Returns `source` itself when it is first-party, otherwise a wrapper whose missing members are filled
 * with safe defaults: no signatures, no range reads.
 * @example
 * ```ts
 * await using source = asInternalSource(await ref.newImageSource());
 * ```
 */
export function asInternalSource(source: ImageSource): InternalSource {
  if (isInternal(source)) return source as InternalSource;
  return {
    [INTERNAL]: true,
    get reference() {
      return source.reference;
    },
    getManifest: (instance, options) => source.getManifest(instance, options),
    getBlob: (info, options) => source.getBlob(info, options?.signal === undefined ? {} : { signal: options.signal }),
    getSignatures: async (instance, options) =>
      source.getSignatures === undefined ? [] : await source.getSignatures(instance, options),
    supportsRangeReads: false,
    getBlobRange: async (info) => {
      throw new ImageError('ERR_NOT_IMPLEMENTED', `${describe(source)} cannot read a range of blob ${info.digest}`);
    },
    [Symbol.asyncDispose]: () => source[Symbol.asyncDispose](),
  };
}

/**
 * Returns `destination` itself when it is first-party, otherwise a wrapper whose missing members are
 * filled with safe defaults: traits per {@link DEFAULT_TRAITS}, no blob reuse, and signatures refused
 * with `ERR_NOT_IMPLEMENTED` (an empty list is accepted), so nothing is dropped silently. A third party
 * that implements `putSignatures` but names no signature kinds is taken to accept every kind.
 * @example
 * ```ts
 * await using dest = asInternalDestination(await ref.newImageDestination());
 * ```
 */
export function asInternalDestination(destination: ImageDestination): InternalDestination {
  if (isInternal(destination)) return destination as InternalDestination;
  const declared = destination.traits?.supportedSignatureKinds;
  const traits = completeTraits({
    ...destination.traits,
    supportedSignatureKinds:
      declared ?? (destination.putSignatures === undefined ? [] : (['simple-signing', 'sigstore'] as const)),
  });
  return {
    [INTERNAL]: true,
    get reference() {
      return destination.reference;
    },
    traits,
    putBlob: (stream, info, options) => destination.putBlob(stream, info, publicPutOptions(options)),
    tryReusingBlob: async (info, options) =>
      destination.tryReusingBlob === undefined
        ? undefined
        : await destination.tryReusingBlob(info, publicReuseOptions(options)),
    putManifest: (manifest, options) => destination.putManifest(manifest, options),
    putSignatures: async (signatures, options) => {
      const refused = signatures.find((s) => !traits.supportedSignatureKinds.includes(s.kind));
      if (refused !== undefined) {
        throw new ImageError('ERR_NOT_IMPLEMENTED', `${describe(destination)} cannot store ${refused.kind} signatures`);
      }
      if (signatures.length > 0 && destination.putSignatures !== undefined) {
        await destination.putSignatures(signatures, options);
      }
    },
    committedManifestDigest: undefined,
    commit: (options) => destination.commit(options),
    [Symbol.asyncDispose]: () => destination[Symbol.asyncDispose](),
  };
}

// a third party sees only the public options: private hints (the cache, source reference) stay inside
function publicPutOptions(options: InternalPutBlobOptions | undefined): PutBlobOptions {
  return { ...(options?.signal && { signal: options.signal }), ...(options?.isConfig && { isConfig: true }) };
}

function publicReuseOptions(options: InternalReuseOptions | undefined): ReuseOptions {
  return {
    ...(options?.signal && { signal: options.signal }),
    ...(options?.canSubstitute && { canSubstitute: true }),
  };
}

function describe(x: ImageSource | ImageDestination): string {
  try {
    return `${x.reference.transport.name}:${x.reference.withinTransport}`;
  } catch {
    return 'the image';
  }
}
