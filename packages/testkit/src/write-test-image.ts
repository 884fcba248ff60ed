import type { CallOptions, ImageDestination, ImageReference, Signature } from '@ferry/types';
import { streamOf } from './streams.ts';
import type { TestImage, TestImageList } from './test-image.ts';

/** Options of {@link writeTestImage} and {@link writeTestImageList}. */
export interface WriteTestImageOptions extends CallOptions {
  /** Signatures to store for the top-level manifest (and, for a list, for each instance). @default [] */
  readonly signatures?: readonly Signature[];
  /** Whether to commit. @default true */
  readonly commit?: boolean;
  /** Chunk size of the blob streams. @default the whole blob */
  readonly chunkSize?: number;
}

/**
 * Writes a test image through a new destination of `reference` and commits it.
 * @example
 * ```ts
 * await writeTestImage(ref, makeTestImage());
 * ```
 */
export async function writeTestImage(
  reference: ImageReference,
  image: TestImage,
  options: WriteTestImageOptions = {},
): Promise<void> {
  const dest = await reference.newImageDestination(signalOnly(options));
  try {
    await putImage(dest, image, undefined, options);
    if (options.commit ?? true) await dest.commit(signalOnly(options));
  } finally {
    await dest[Symbol.asyncDispose]();
  }
}

/**
 * Writes a test image list (every instance, then the index) through a new destination and commits it.
 * @example
 * ```ts
 * await writeTestImageList(ref, makeTestImageList());
 * ```
 */
export async function writeTestImageList(
  reference: ImageReference,
  list: TestImageList,
  options: WriteTestImageOptions = {},
): Promise<void> {
  const dest = await reference.newImageDestination(signalOnly(options));
  try {
    for (const image of list.images) await putImage(dest, image, image.manifest.digest, options);
    await dest.putManifest(list.manifest, signalOnly(options));
    if (options.signatures !== undefined && options.signatures.length > 0) {
      await putSignatures(dest, options.signatures, undefined, options);
    }
    if (options.commit ?? true) await dest.commit(signalOnly(options));
  } finally {
    await dest[Symbol.asyncDispose]();
  }
}

/**
 * Puts one image's blobs, manifest and signatures into an open destination, checking what `putBlob` returns.
 * @example
 * ```ts
 * await putImage(dest, makeTestImage(), undefined);
 * ```
 */
export async function putImage(
  dest: ImageDestination,
  image: TestImage,
  instance: TestImage['manifest']['digest'] | undefined,
  options: WriteTestImageOptions = {},
): Promise<void> {
  for (const blob of image.blobs) {
    const stored = await dest.putBlob(
      streamOf(blob.bytes, options.chunkSize),
      { digest: blob.digest, size: blob.size, mediaType: blob.mediaType },
      { ...signalOnly(options), isConfig: blob === image.config },
    );
    if (stored.digest !== blob.digest || stored.size !== blob.size) {
      throw new Error(`putBlob returned ${stored.digest}/${stored.size} for ${blob.digest}/${blob.size}`);
    }
  }
  await dest.putManifest(image.manifest, { ...signalOnly(options), ...(instance && { instance }) });
  if (options.signatures !== undefined && options.signatures.length > 0) {
    await putSignatures(dest, options.signatures, instance, options);
  }
}

async function putSignatures(
  dest: ImageDestination,
  signatures: readonly Signature[],
  instance: TestImage['manifest']['digest'] | undefined,
  options: CallOptions,
): Promise<void> {
  if (dest.putSignatures === undefined) throw new Error('the destination has no putSignatures');
  await dest.putSignatures(signatures, { ...signalOnly(options), ...(instance && { instance }) });
}

function signalOnly(options: CallOptions): CallOptions {
  return options.signal === undefined ? {} : { signal: options.signal };
}
