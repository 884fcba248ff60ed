import type { ImageReference, ImageSource, Transport } from '@ferry/types';

/** The named checks of the conformance suite, for {@link ConformanceOptions.skip}. */
export type ConformanceCheck =
  | 'reference-round-trip'
  | 'image-round-trip'
  | 'zstd-image-round-trip'
  | 'blob-without-digest'
  | 'large-blob'
  | 'put-blob-failures'
  | 'dispose-without-commit'
  | 'unknown-blob-and-manifest'
  | 'signatures'
  | 'concurrent-blob-writes'
  | 'manifest-list'
  | 'reuse';

/** Options of {@link describeTransportConformance}. */
export interface ConformanceOptions {
  /** The transport under test. */
  readonly transport: Transport;
  /** Returns a reference to a fresh, empty place an image can be written to. Called once per check. */
  newWritableReference(): Promise<ImageReference>;
  /**
   * Checks to leave out, for a transport whose documented behaviour differs (e.g. a registry, where data is
   * visible before `commit`, skips `dispose-without-commit`).
   * @default []
   */
  readonly skip?: readonly ConformanceCheck[];
  /**
   * Size of the blob of the `large-blob` check. The testkit generates it on the fly and never holds it in
   * memory; a transport that buffers blobs shows it here.
   * @default 64 MiB
   */
  readonly largeBlobSize?: number;
  /**
   * Per-check timeout in milliseconds.
   * @default 30_000
   */
  readonly timeout?: number;
}

/**
 * Opens a source of `reference`, runs `fn` and disposes the source.
 * @example
 * ```ts
 * const bytes = await withSource(ref, async (source) => (await source.getManifest()).bytes);
 * ```
 */
export async function withSource<T>(reference: ImageReference, fn: (source: ImageSource) => Promise<T>): Promise<T> {
  const source = await reference.newImageSource();
  try {
    return await fn(source);
  } finally {
    await source[Symbol.asyncDispose]();
  }
}

/** Whether `error` is `expected` itself or wraps it somewhere in its `cause` chain. */
export function isOrWraps(error: unknown, expected: unknown): boolean {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    if (e === expected) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
