import type { ByteStream, CallOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';

export { MANIFEST_LIMIT } from '@ferry/types';

/** Options of {@link readLimited}. */
export interface ReadLimitedOptions extends CallOptions {
  /** What is being read, for the error message, e.g. `manifest sha256:…`. @default 'document' */
  readonly what?: string;
}

/**
 * Reads a small document (manifest, config, index) from a stream into memory, failing with
 * `ERR_TOO_LARGE` as soon as more than `limit` bytes arrive. The stream is closed on every exit.
 *
 * @example
 * ```ts
 * const bytes = await readLimited(stream, MANIFEST_LIMIT, { what: `manifest ${digest}` });
 * ```
 */
export async function readLimited(
  stream: ByteStream,
  limit: number,
  options: ReadLimitedOptions = {},
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  // a source may not know the size, so the limit is enforced while reading
  for await (const chunk of stream) {
    options.signal?.throwIfAborted();
    total += chunk.byteLength;
    if (total > limit) {
      throw new ImageError('ERR_TOO_LARGE', `${options.what ?? 'document'} exceeds the ${limit}-byte limit`);
    }
    chunks.push(chunk);
  }
  options.signal?.throwIfAborted();
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
