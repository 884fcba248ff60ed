import type { CompressionAlgorithm, Digest } from '@ferry/types';

/** A compression as the cache stores it. */
export type CachedCompression = CompressionAlgorithm | 'none';

/**
 * One fact the cache learned, with the time (milliseconds since the epoch, fractional) it was learned.
 * The log file holds one record a line, newest last.
 */
export type CacheRecord =
  | { readonly kind: 'pair'; readonly compressed: Digest; readonly uncompressed: Digest; readonly time: number }
  | {
      readonly kind: 'compression';
      readonly digest: Digest;
      readonly compression: CachedCompression;
      readonly time: number;
    }
  | {
      readonly kind: 'location';
      readonly transport: string;
      readonly scope: string;
      readonly digest: Digest;
      readonly location: string;
      readonly time: number;
    };

const COMPRESSIONS: ReadonlySet<string> = new Set(['gzip', 'zstd', 'bzip2', 'xz', 'none']);

/** Encodes a record as one JSON line (with its `\n`): a short array, the first item naming the kind. */
export function encodeRecord(record: CacheRecord): string {
  switch (record.kind) {
    case 'pair':
      return `${JSON.stringify(['p', record.compressed, record.uncompressed, record.time])}\n`;
    case 'compression':
      return `${JSON.stringify(['c', record.digest, record.compression, record.time])}\n`;
    case 'location':
      return `${JSON.stringify(['l', record.transport, record.scope, record.digest, record.location, record.time])}\n`;
  }
}

/**
 * Decodes one line of the log; `undefined` for anything that is not a well-formed record (a torn line after a
 * crash, garbage, a record from a newer format), which the reader skips.
 */
export function decodeRecord(line: string): CacheRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return recordOf(value);
}

/** Validates one parsed line; `undefined` for anything that is not a well-formed record. */
export function recordOf(value: unknown): CacheRecord | undefined {
  if (!Array.isArray(value)) return undefined;
  const time = value[value.length - 1];
  if (typeof time !== 'number' || !Number.isFinite(time)) return undefined;
  const [kind, a, b, c, d] = value as unknown[];
  if (kind === 'p' && value.length === 4 && isDigest(a) && isDigest(b)) {
    return { kind: 'pair', compressed: a, uncompressed: b, time };
  }
  if (kind === 'c' && value.length === 4 && isDigest(a) && typeof b === 'string' && COMPRESSIONS.has(b)) {
    return { kind: 'compression', digest: a, compression: b as CachedCompression, time };
  }
  if (kind === 'l' && value.length === 6 && isScopeText(a) && isScopeText(b) && isDigest(c)) {
    if (typeof d !== 'string') return undefined;
    return { kind: 'location', transport: a, scope: b, digest: c, location: d, time };
  }
  return undefined;
}

/** Whether `text` can name a transport or a scope in the cache (NUL separates them in memory). */
export function isScopeText(text: unknown): text is string {
  return typeof text === 'string' && !text.includes('\0');
}

// The grammar parseDigest accepts (sha256 and sha512, lowercase hex), as one regular expression: opening a
// large cache validates thousands of digests, and parseDigest's error paths are too slow for that.
const DIGEST = /^sha(?:256:[0-9a-f]{64}|512:[0-9a-f]{128})$/;

function isDigest(text: unknown): text is Digest {
  return typeof text === 'string' && DIGEST.test(text);
}
