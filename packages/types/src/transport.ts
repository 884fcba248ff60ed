import type {
  BlobInfo,
  ByteStream,
  ManifestBlob,
  PutBlobInfo,
  ReusedBlob,
  StoredBlob,
  TypedManifestBlob,
} from './blob-info.ts';
import type { Digest } from './digest.ts';
import type { NamedReference } from './named-reference.ts';
import type { CallOptions, SystemOptions } from './options.ts';
import type { Signature } from './signature.ts';

/**
 * A way of storing images (`docker`, `oci`, `docker-archive`, `dir`, …). A transport is a plain object
 * made by a factory; it holds no mutable global state.
 *
 * @example
 * ```ts
 * export function memoryTransport(): Transport {
 *   const transport: Transport = { name: 'memory', parseReference: (text) => memoryReference(transport, text) };
 *   return transport;
 * }
 * ```
 */
export interface Transport {
  /** The name before the colon in `transport:reference`. MUST match `[a-z][a-z0-9-]*`. */
  readonly name: string;
  /**
   * Parses the part after `name:`. MUST throw an `ImageError` with code `ERR_INVALID_REFERENCE` for text it
   * does not accept, and MUST NOT do I/O.
   */
  parseReference(text: string): ImageReference;
  /**
   * Checks a scope used for this transport in a signature policy (never the empty string, which is the
   * transport-wide default). MUST throw `ERR_INVALID_ARGUMENT` for a scope that is malformed; MAY accept a
   * well-formed scope that matches no image.
   */
  validatePolicyScope?(scope: string): void;
}

/**
 * An image (or image list) at a place a transport knows. Creating one does no I/O.
 *
 * @example
 * ```ts
 * const ref = transports.parse('oci:/srv/layout:v1');
 * await using source = await ref.newImageSource({ signal });
 * ```
 */
export interface ImageReference {
  /** The transport that made this reference. */
  readonly transport: Transport;
  /**
   * The text after `transport:`. `transport.parseReference(withinTransport)` MUST give an equal reference:
   * the same `withinTransport`, `policyIdentity`, `policyNamespaces` and `dockerReference`.
   */
  readonly withinTransport: string;
  /** The Docker reference this image is known by, where the transport knows one. */
  readonly dockerReference?: NamedReference;
  /**
   * The most specific identity of this reference for signature-policy lookup, e.g. `docker.io/library/busybox:latest`
   * or an absolute path. The empty string means the transport has no per-image policy.
   */
  readonly policyIdentity: string;
  /** Less specific scopes, most specific first, e.g. `docker.io/library`, `docker.io`, `*.io`. */
  readonly policyNamespaces: readonly string[];
  /** Opens the image for reading. */
  newImageSource(options?: SystemOptions): Promise<ImageSource>;
  /** Opens the place for writing an image. */
  newImageDestination(options?: SystemOptions): Promise<ImageDestination>;
  /** Deletes the image. Absent when the transport cannot delete. */
  deleteImage?(options?: SystemOptions): Promise<void>;
}

/** A stream of a blob's bytes with its size when known. */
export interface BlobStream {
  /** The bytes. The receiver owns it: it reads to the end or calls `return()` on its iterator. */
  readonly stream: ByteStream;
  /** Size in bytes, if known. */
  readonly size: number | undefined;
}

/**
 * An open image to read. Close it with `await using` or `[Symbol.asyncDispose]()`.
 *
 * Nothing a source returns is trusted: callers verify digests and sizes.
 *
 * Concurrency: `getBlob` MAY be called again, and concurrently, before earlier streams are consumed; a
 * transport that cannot read two blobs at once (a pipe) MUST serialize or spool internally. Callers MUST
 * finish or `return()` every stream they received before disposing the source.
 *
 * @example
 * ```ts
 * await using source = await ref.newImageSource();
 * const { bytes, mediaType } = await source.getManifest();
 * ```
 */
export interface ImageSource extends AsyncDisposable {
  /** The reference this source was opened from. */
  readonly reference: ImageReference;
  /**
   * Returns the manifest bytes: the top-level manifest or list when `instance` is undefined, otherwise the
   * manifest with that digest (an instance of the top-level list). MUST throw `ERR_MANIFEST_UNKNOWN` when
   * absent, and MUST throw `ERR_TOO_LARGE` rather than return more than `MANIFEST_LIMIT` (4 MiB) bytes.
   */
  getManifest(instance?: Digest, options?: CallOptions): Promise<ManifestBlob>;
  /**
   * Returns a stream of a blob. `info.digest` is always set. MUST throw `ERR_BLOB_UNKNOWN` when absent.
   * The stream need not be verified by the source; the caller verifies it.
   */
  getBlob(info: BlobInfo, options?: CallOptions): Promise<BlobStream>;
  /**
   * Returns the signatures stored for the top-level manifest (or `instance`). Absent means the transport
   * stores no signatures; an empty array means there are none.
   */
  getSignatures?(instance?: Digest, options?: CallOptions): Promise<readonly Signature[]>;
}

/** How a destination wants layers to arrive. */
export type LayerCompressionWish = 'preserve' | 'compress' | 'decompress';

/** What a destination can hold and prefers. Every member is optional; defaults are documented on each. */
export interface DestinationTraits {
  /**
   * Manifest media types the destination accepts, the preferred one first. Absent or empty means any type.
   * @default []
   */
  readonly supportedManifestMediaTypes?: readonly string[];
  /**
   * Whether layers should be kept, compressed or decompressed on the way in.
   * @default 'preserve'
   */
  readonly desiredLayerCompression?: LayerCompressionWish;
  /**
   * Whether the destination can store a layer by its foreign URLs instead of its bytes.
   * @default false
   */
  readonly acceptsForeignLayerURLs?: boolean;
  /**
   * Whether the image must match the running OS (e.g. a local daemon).
   * @default false
   */
  readonly mustMatchRuntimeOS?: boolean;
  /**
   * Whether a schema 1 manifest's embedded name and tag may differ from the destination's reference.
   * @default false
   */
  readonly ignoresEmbeddedDockerReference?: boolean;
  /**
   * Whether `putBlob` may be called concurrently.
   * @default false
   */
  readonly supportsConcurrentBlobWrites?: boolean;
  /**
   * The kinds of signature `putSignatures` can store. What a destination can store may depend on its
   * configuration (e.g. lookaside storage vs sigstore attachments for a registry).
   * @default [] (or every kind, for a third-party destination that implements `putSignatures`)
   */
  readonly supportedSignatureKinds?: readonly Signature['kind'][];
  /**
   * Whether the destination can store a manifest list or index with its instances.
   * @default false
   */
  readonly supportsManifestLists?: boolean;
}

/** Options of {@link ImageDestination.putBlob}. */
export interface PutBlobOptions extends CallOptions {
  /**
   * True when the blob is the image config rather than a layer.
   * @default false
   */
  readonly isConfig?: boolean;
}

/** Options of {@link ImageDestination.tryReusingBlob}. */
export interface ReuseOptions extends CallOptions {
  /**
   * Whether the caller also accepts the same content with another compression; the result then describes
   * the substitute.
   * @default false
   */
  readonly canSubstitute?: boolean;
}

/** Options of {@link ImageDestination.putManifest} and {@link ImageDestination.putSignatures}. */
export interface PutManifestOptions extends CallOptions {
  /**
   * The digest of the list instance this manifest is, or `undefined` for the top-level manifest.
   * @default undefined
   */
  readonly instance?: Digest;
}

/** Options of {@link ImageDestination.commit}. */
export interface CommitOptions extends CallOptions {
  /** The top-level manifest (the list when one was copied), for destinations that record it. */
  readonly topLevelManifest?: ManifestBlob;
}

/**
 * A place to write one image (or list) into.
 *
 * Order of calls: blobs (`putBlob`/`tryReusingBlob`) before the manifest that names them; instance
 * manifests before their list; `putSignatures` after the `putManifest` it signs; `commit` last.
 * Concurrency: `putBlob`/`tryReusingBlob` MAY be called concurrently only when
 * `traits.supportsConcurrentBlobWrites` is true; callers MUST NOT call `putManifest`, `putSignatures` or
 * `commit` concurrently with each other on one destination.
 *
 * Visibility: data MAY be visible before `commit` (a registry publishes at each PUT); after `commit`
 * resolves the image is part of the destination (where destinations share one writer, such as several
 * images into one archive, it is durable when that writer is closed). Disposing without `commit` SHOULD
 * remove what was written.
 *
 * @example
 * ```ts
 * await using dest = await ref.newImageDestination();
 * const config = await dest.putBlob(configStream, { digest, size }, { isConfig: true });
 * await dest.putManifest({ bytes, mediaType });
 * await dest.commit();
 * ```
 */
export interface ImageDestination extends AsyncDisposable {
  /** The reference this destination was opened for. */
  readonly reference: ImageReference;
  /** What the destination accepts and prefers. */
  readonly traits: DestinationTraits;
  /**
   * Stores a blob from `stream` and returns its digest and size. MUST read the stream to its end (or
   * `return()` it), MUST verify `info.digest` and `info.size` when given, and on any failure (stream
   * error, mismatch, abort) MUST throw and discard everything it stored for this call.
   */
  putBlob(stream: ByteStream, info: PutBlobInfo, options?: PutBlobOptions): Promise<StoredBlob>;
  /**
   * Makes a blob the destination already has (or can get cheaply) part of the image, without its bytes.
   * Returns the stored blob's info, or `undefined` when it cannot. MUST NOT throw merely because the blob
   * is absent.
   */
  tryReusingBlob?(info: BlobInfo, options?: ReuseOptions): Promise<ReusedBlob | undefined>;
  /**
   * Stores a manifest. MUST throw `ERR_MANIFEST_TYPE_REJECTED` when it refuses the type but might accept
   * another one.
   */
  putManifest(manifest: TypedManifestBlob, options?: PutManifestOptions): Promise<void>;
  /** Stores signatures for the manifest (or `instance`), replacing those there. */
  putSignatures?(signatures: readonly Signature[], options?: PutManifestOptions): Promise<void>;
  /** Makes the image part of the destination (see the interface's visibility rules). */
  commit(options?: CommitOptions): Promise<void>;
}
