import type { ByteStream, CallOptions, CompressionAlgorithm } from '@ferry/types';
import { ImageError } from '@ferry/types';
import type { CompressionCodec, CompressOptions } from './compression-codec.ts';
import { gzipCodec } from './gzip-codec.ts';
import { zstdCodec } from './zstd-codec.ts';

/**
 * The codec for `algorithm`: gzip on `node:zlib`, zstd on zstd-napi.
 *
 * @throws {@link ImageError} `ERR_UNSUPPORTED_COMPRESSION` for bzip2 and xz, which Ferry detects but cannot read or write.
 * @example
 * ```ts
 * const codec = codecFor(detected); // after peekCompression
 * ```
 */
export function codecFor(algorithm: CompressionAlgorithm): CompressionCodec {
  switch (algorithm) {
    case 'gzip':
      return gzipCodec();
    case 'zstd':
      return zstdCodec();
    default:
      throw new ImageError('ERR_UNSUPPORTED_COMPRESSION', `${String(algorithm)} (de)compression is not supported`);
  }
}

/**
 * Compresses a stream with `algorithm`, streaming with backpressure.
 *
 * @throws {@link ImageError} `ERR_UNSUPPORTED_COMPRESSION` for bzip2 and xz; `ERR_INVALID_ARGUMENT` for a bad level.
 * @example
 * ```ts
 * await writeFileAtomic(path, compressStream(tar, 'zstd', { level: 3, signal }), { signal });
 * ```
 */
export function compressStream(
  source: ByteStream,
  algorithm: CompressionAlgorithm,
  options?: CompressOptions,
): ByteStream {
  return codecFor(algorithm).compress(source, options);
}

/**
 * Decompresses a stream of `algorithm`, streaming with backpressure. Reading the result fails with
 * `ERR_CORRUPT_COMPRESSED_DATA` (with the decoder's error as `cause`) on corrupt or truncated input.
 *
 * @throws {@link ImageError} `ERR_UNSUPPORTED_COMPRESSION` for bzip2 and xz.
 * @example
 * ```ts
 * for await (const chunk of decompressStream(layer, 'gzip', { signal })) tar.write(chunk);
 * ```
 */
export function decompressStream(
  source: ByteStream,
  algorithm: CompressionAlgorithm,
  options?: CallOptions,
): ByteStream {
  return codecFor(algorithm).decompress(source, options);
}
