import type { ByteStream, CallOptions } from '@ferry/types';

/** Options of {@link CompressionCodec.compress}. */
export interface CompressOptions extends CallOptions {
  /** Compression level; its range and default depend on the algorithm (gzip 0–9, default 6; zstd 1–19, default 3). */
  readonly level?: number;
}

/**
 * One compression format as streaming transforms over byte streams. Both results are single-use streams
 * with backpressure: nothing is read from `source` faster than the result is consumed, and leaving the
 * result early closes `source`. Decompressing corrupt or truncated input fails with
 * `ERR_CORRUPT_COMPRESSED_DATA`; errors of `source` and aborts pass through unchanged.
 *
 * Implement it to plug in another engine (e.g. `node:zlib`'s zstd on Node ≥ 22.15, through {@link pipeThrough}).
 */
export interface CompressionCodec {
  /** The format this codec reads and writes. */
  readonly algorithm: 'gzip' | 'zstd';
  /** Compresses `source`. */
  compress(source: ByteStream, options?: CompressOptions): ByteStream;
  /** Decompresses `source`; multi-member (gzip) and multi-frame (zstd) input is read whole. */
  decompress(source: ByteStream, options?: CallOptions): ByteStream;
}
