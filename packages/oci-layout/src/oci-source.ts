import type { BlobInfo, BlobStream, CallOptions, Digest, ImageReference, ManifestBlob, Signature } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { type BlobRange, INTERNAL, type InternalGetBlobOptions, type InternalSource } from '@ferry/types/internal';
import { instanceMediaType } from './instance-media-type.ts';
import type { IndexEntry, LayoutIndex } from './layout-index.ts';
import { openLayout } from './oci-layout.ts';
import type { OciLayout } from './oci-layout-types.ts';
import type { OciReferenceParts } from './oci-reference-text.ts';
import { readSmallBlob } from './read-small-blob.ts';
import { resolveEntry } from './resolve-entry.ts';

/**
 * Opens an `oci:` reference for reading: the layout is validated and the image's descriptor resolved once,
 * from `index.json` as it was at that moment.
 *
 * Used by the `oci:` transport, and by any transport that has a layout directory (e.g. an extracted archive).
 * @example
 * ```ts
 * const source = await openOciSource(ref, { dir: '/srv/layout', name: 'v1', sourceIndex: undefined });
 * ```
 */
export async function openOciSource(
  reference: ImageReference,
  parts: OciReferenceParts,
  options: CallOptions = {},
): Promise<InternalSource> {
  const layout = await openLayout(parts.dir, options);
  try {
    const index = await layout.readIndex(options);
    return new OciSource(reference, layout, index, resolveEntry(index, parts).entry);
  } catch (error) {
    await layout[Symbol.asyncDispose]();
    throw error;
  }
}

class OciSource implements InternalSource {
  readonly [INTERNAL] = true as const;
  readonly reference: ImageReference;
  readonly supportsRangeReads = true;
  readonly #layout: OciLayout;
  readonly #index: LayoutIndex;
  readonly #top: IndexEntry;

  constructor(reference: ImageReference, layout: OciLayout, index: LayoutIndex, top: IndexEntry) {
    this.reference = reference;
    this.#layout = layout;
    this.#index = index;
    this.#top = top;
  }

  async getManifest(instance?: Digest, options: CallOptions = {}): Promise<ManifestBlob> {
    const digest = instance ?? this.#top.digest;
    const bytes = await readSmallBlob(this.#layout.path, digest, options.signal);
    if (bytes === undefined) {
      throw new ImageError('ERR_MANIFEST_UNKNOWN', `manifest ${digest} not in the OCI layout ${this.#layout.path}`);
    }
    const mediaType = instance === undefined ? this.#top.mediaType : await this.#instanceType(instance, options);
    return { bytes, mediaType: mediaType === '' ? undefined : mediaType };
  }

  #instanceType(instance: Digest, options: CallOptions): Promise<string | undefined> {
    const readTop = () => readSmallBlob(this.#layout.path, this.#top.digest, options.signal);
    return instanceMediaType(this.#index, this.#top, instance, readTop, options);
  }

  async getBlob(info: BlobInfo, options: InternalGetBlobOptions = {}): Promise<BlobStream> {
    // foreign layers (descriptor urls) are not fetched: a layout holds what it holds
    return this.#layout.getBlob(info.digest, options.signal === undefined ? {} : { signal: options.signal });
  }

  async getBlobRange(info: BlobInfo, range: BlobRange, options: CallOptions = {}): Promise<BlobStream> {
    const { stream, size } = await this.#layout.getBlob(info.digest, {
      offset: range.offset,
      ...(range.length !== undefined && { length: range.length }),
      ...(options.signal && { signal: options.signal }),
    });
    const rest = Math.max(0, size - range.offset);
    return { stream, size: range.length === undefined ? rest : Math.min(range.length, rest) };
  }

  async getSignatures(): Promise<readonly Signature[]> {
    return [];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#layout[Symbol.asyncDispose]();
  }
}
