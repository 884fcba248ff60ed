import type { Digest } from './digest.ts';

/** A compression format Ferry can name. Only `gzip` and `zstd` can be produced and read back. */
export type CompressionAlgorithm = 'gzip' | 'zstd' | 'bzip2' | 'xz';

/** What is known about a blob (a layer or a config). */
export interface BlobInfo {
  /** The digest of the blob's bytes as stored. */
  readonly digest: Digest;
  /** Size in bytes, if known. */
  readonly size?: number;
  /** The media type of the descriptor that names the blob, if known. */
  readonly mediaType?: string;
  /** Descriptor annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Alternate download locations (foreign layers). */
  readonly urls?: readonly string[];
  /** Compression of the stored bytes, when known: `none` for uncompressed. */
  readonly compression?: CompressionAlgorithm | 'none';
}

/** What a writer knows about a blob before it has read it: the digest may not be known yet. */
export interface PutBlobInfo extends Omit<BlobInfo, 'digest'> {
  /** The expected digest. When given, the stream MUST hash to it or the write fails. */
  readonly digest?: Digest;
}

/** A manifest's bytes and media type, exactly as stored. */
export interface ManifestBlob {
  /** The bytes. Their digest is the manifest's digest; they are never re-serialized. */
  readonly bytes: Uint8Array;
  /** The media type, or `undefined` when the source does not know it (then it is guessed from content). */
  readonly mediaType: string | undefined;
}

/**
 * A manifest whose media type is known, as destinations receive it (a registry needs a `Content-Type`, an
 * OCI index entry needs a `mediaType`).
 */
export interface TypedManifestBlob extends ManifestBlob {
  /** The media type. */
  readonly mediaType: string;
}

/** What a destination stored: digest and size are always known. */
export interface StoredBlob {
  /** The digest of the bytes as stored. */
  readonly digest: Digest;
  /** Size in bytes as stored. */
  readonly size: number;
}

/**
 * A blob a destination reused. When its compression differs from what was asked for (a substitute),
 * `mediaType` and `compression` MUST be set so the manifest can be updated.
 */
export interface ReusedBlob extends StoredBlob {
  /** Media type of the reused blob, when it differs from the one asked for. */
  readonly mediaType?: string;
  /** Compression of the reused blob. */
  readonly compression?: CompressionAlgorithm | 'none';
  /** Annotations of the reused blob's descriptor. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The largest manifest or config Ferry reads, as in containers/image: 4 MiB. */
export const MANIFEST_LIMIT: number = 4 * 1024 * 1024;

/** A stream of bytes. A Node `Readable`, an undici body, a web `ReadableStream` and an async generator all are one. */
export type ByteStream = AsyncIterable<Uint8Array>;
