/**
 * The private contract between first-party Ferry packages. No semver promise: all `@ferry/*` packages are
 * released together, so this never mismatches among them. Third parties implement the public interfaces;
 * {@link asInternalSource} and {@link asInternalDestination} fill in what they leave out.
 *
 * @packageDocumentation
 */
import type { BlobInfo, ByteStream } from '../blob-info.ts';
import type { Digest } from '../digest.ts';
import { ImageError } from '../errors.ts';
import type { CallOptions } from '../options.ts';
import type { Signature } from '../signature.ts';
import type {
  BlobStream,
  DestinationTraits,
  ImageDestination,
  ImageSource,
  PutBlobOptions,
  PutManifestOptions,
  ReuseOptions,
} from '../transport.ts';

/**
 * Brand of first-party sources and destinations. The version in the key changes whenever the private
 * contract changes incompatibly, so an object from another release is treated as third-party.
 */
export const INTERNAL: unique symbol = Symbol.for('ferry.internal.v1') as never;

/** A byte range of a blob. */
export interface BlobRange {
  /** First byte. */
  readonly offset: number;
  /** Number of bytes. */
  readonly length: number;
}

/** A source with every optional member of {@link ImageSource} present. */
export interface InternalSource extends ImageSource {
  /** First-party brand. */
  readonly [INTERNAL]: true;
  /** Signatures for the manifest (or `instance`); empty when the transport stores none. */
  getSignatures(instance?: Digest, options?: CallOptions): Promise<Signature[]>;
  /** Whether {@link InternalSource.getBlobRange} can read part of a blob cheaply. */
  readonly supportsRangeReads: boolean;
  /** Reads part of a blob. Throws `ERR_NOT_IMPLEMENTED` when `supportsRangeReads` is false. */
  getBlobRange(info: BlobInfo, range: BlobRange, options?: CallOptions): Promise<BlobStream>;
}

/** Hints the copy pipeline gives a destination about a blob. */
export interface InternalPutBlobOptions extends PutBlobOptions {
  /** Position of the layer in the manifest, when the blob is a layer. */
  readonly layerIndex?: number;
}

/** Hints the copy pipeline gives a destination when asking it to reuse a blob. */
export interface InternalReuseOptions extends ReuseOptions {
  /** Position of the layer in the manifest, when the blob is a layer. */
  readonly layerIndex?: number;
}

/** A destination with every optional member of {@link ImageDestination} present. */
export interface InternalDestination extends ImageDestination {
  /** First-party brand. */
  readonly [INTERNAL]: true;
  /** Traits with every default filled in. */
  readonly traits: Required<DestinationTraits>;
  /** Stores a blob; see {@link ImageDestination.putBlob}. */
  putBlob(
    stream: ByteStream,
    info: import('../blob-info.ts').PutBlobInfo,
    options?: InternalPutBlobOptions,
  ): Promise<BlobInfo>;
  /** Reuses a blob; `undefined` when it cannot (always, for a destination without reuse). */
  tryReusingBlob(info: BlobInfo, options?: InternalReuseOptions): Promise<BlobInfo | undefined>;
  /** Stores signatures. Throws `ERR_NOT_IMPLEMENTED` for a non-empty list when `traits.supportsSignatures` is false. */
  putSignatures(signatures: readonly Signature[], options?: PutManifestOptions): Promise<void>;
}

/** The defaults a third-party destination's traits are completed with. */
export const DEFAULT_TRAITS: Readonly<Required<DestinationTraits>> = Object.freeze({
  supportedManifestMediaTypes: Object.freeze([]) as readonly string[],
  desiredLayerCompression: 'preserve',
  acceptsForeignLayerURLs: false,
  mustMatchRuntimeOS: false,
  ignoresEmbeddedDockerReference: false,
  supportsConcurrentBlobWrites: false,
  supportsSignatures: false,
  supportsManifestLists: false,
});

/** Completes traits with {@link DEFAULT_TRAITS}. An empty `supportedManifestMediaTypes` means "any type". */
export function completeTraits(traits: DestinationTraits | undefined): Required<DestinationTraits> {
  const out = { ...DEFAULT_TRAITS };
  for (const [key, value] of Object.entries(traits ?? {})) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return Object.freeze(out);
}

function isInternal(value: object): boolean {
  return (value as { [INTERNAL]?: unknown })[INTERNAL] === true;
}

/**
 * Returns `source` itself when it is first-party, otherwise a wrapper whose missing members are filled
 * with safe defaults: no signatures, no range reads.
 */
export function asInternalSource(source: ImageSource): InternalSource {
  if (isInternal(source)) return source as InternalSource;
  const wrapper: InternalSource = {
    [INTERNAL]: true,
    get reference() {
      return source.reference;
    },
    getManifest: (instance, options) => source.getManifest(instance, options),
    getBlob: (info, options) => source.getBlob(info, options),
    getSignatures: async (instance, options) =>
      source.getSignatures === undefined ? [] : await source.getSignatures(instance, options),
    supportsRangeReads: false,
    getBlobRange: async (info) => {
      throw new ImageError('ERR_NOT_IMPLEMENTED', `${describe(source)} cannot read a range of blob ${info.digest}`);
    },
    [Symbol.asyncDispose]: () => source[Symbol.asyncDispose](),
  };
  return wrapper;
}

/**
 * Returns `destination` itself when it is first-party, otherwise a wrapper whose missing members are
 * filled with safe defaults: traits per {@link DEFAULT_TRAITS}, no blob reuse, and signatures refused
 * with `ERR_NOT_IMPLEMENTED` (an empty list is accepted), so nothing is dropped silently.
 */
export function asInternalDestination(destination: ImageDestination): InternalDestination {
  if (isInternal(destination)) return destination as InternalDestination;
  const traits = completeTraits(destination.traits);
  const wrapper: InternalDestination = {
    [INTERNAL]: true,
    get reference() {
      return destination.reference;
    },
    traits,
    putBlob: (stream, info, options) => destination.putBlob(stream, info, options),
    tryReusingBlob: async (info, options) =>
      destination.tryReusingBlob === undefined ? undefined : await destination.tryReusingBlob(info, options),
    putManifest: (manifest, options) => destination.putManifest(manifest, options),
    putSignatures: async (signatures, options) => {
      if (destination.putSignatures !== undefined && traits.supportsSignatures) {
        return destination.putSignatures(signatures, options);
      }
      if (signatures.length > 0) {
        throw new ImageError('ERR_NOT_IMPLEMENTED', `${describe(destination)} cannot store signatures`);
      }
    },
    commit: (options) => destination.commit(options),
    [Symbol.asyncDispose]: () => destination[Symbol.asyncDispose](),
  };
  return wrapper;
}

function describe(x: ImageSource | ImageDestination): string {
  try {
    return `${x.reference.transport.name}:${x.reference.withinTransport}`;
  } catch {
    return 'the image';
  }
}
