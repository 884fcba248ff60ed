import type { CompressionAlgorithm } from '@ferry/types';

// Magic bytes at the start of each format, as containers/image's compression detection uses them.
const MAGIC: readonly (readonly [CompressionAlgorithm, readonly number[]])[] = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]], // "BZh"
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
];

/** How many leading bytes {@link detectCompression} needs to recognise every format it knows. */
export const COMPRESSION_MAGIC_LENGTH: number = 6;

/**
 * Names the compression of a blob from its first bytes (at least {@link COMPRESSION_MAGIC_LENGTH} of them
 * unless the blob is shorter), or `'none'` when no known magic matches.
 *
 * @example
 * ```ts
 * detectCompression(new Uint8Array([0x1f, 0x8b, 8, 0])); // 'gzip'
 * ```
 */
export function detectCompression(firstBytes: Uint8Array): CompressionAlgorithm | 'none' {
  for (const [algorithm, magic] of MAGIC) {
    if (firstBytes.byteLength >= magic.length && magic.every((byte, i) => firstBytes[i] === byte)) return algorithm;
  }
  return 'none';
}
