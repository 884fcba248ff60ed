import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from '@ferry/manifest';
import type {
  BlobInfo,
  ByteStream,
  CommitOptions,
  Digest,
  ImageReference,
  PutBlobInfo,
  PutManifestOptions,
  ReusedBlob,
  Signature,
  StoredBlob,
  SystemOptions,
  TypedManifestBlob,
} from '@ferry/types';
import { ImageError } from '@ferry/types';
import {
  completeTraits,
  INTERNAL,
  type InternalDestination,
  type InternalPutBlobOptions,
  type InternalReuseOptions,
} from '@ferry/types/internal';
import { withEntry } from './index-entries.ts';
import type { IndexEntry } from './layout-index.ts';
import { REF_NAME_ANNOTATION } from './layout-paths.ts';
import { openLayout } from './oci-layout.ts';
import type { OciLayout } from './oci-layout-types.ts';
import type { OciReferenceParts } from './oci-reference-text.ts';

// as containers/image: OCI types are advertised, Docker schema 2 manifests and lists are stored too
const TRAITS = completeTraits({
  supportedManifestMediaTypes: [OCI_MANIFEST_MEDIA_TYPE, OCI_INDEX_MEDIA_TYPE],
  desiredLayerCompression: 'compress',
  acceptsForeignLayerURLs: true,
  supportsConcurrentBlobWrites: true,
  supportsManifestLists: true,
});
const ACCEPT_UNCOMPRESSED_TRAITS = completeTraits({ ...TRAITS, desiredLayerCompression: 'preserve' });
const STORABLE_TYPES: readonly string[] = [
  OCI_MANIFEST_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  DOCKER_V2_LIST_MEDIA_TYPE,
];

/**
 * Opens an `oci:` reference for writing: creates the layout if needed (cleaning what crashed writers left).
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE` for an `@N` reference.
 *
 * Usable on any directory, e.g. a staging layout that is archived afterwards.
 * @example
 * ```ts
 * const dest = await openOciDestination(ref, { dir: stagingDir, name: 'v1', sourceIndex: undefined });
 * ```
 */
export async function openOciDestination(
  reference: ImageReference,
  parts: OciReferenceParts,
  options: SystemOptions = {},
): Promise<InternalDestination> {
  if (parts.sourceIndex !== undefined) {
    throw new ImageError('ERR_INVALID_REFERENCE', `oci:${reference.withinTransport}: a destination cannot be @N`);
  }
  const layout = await openLayout(parts.dir, { create: true, ...(options.signal && { signal: options.signal }) });
  try {
    // the lock's housekeeping removes temp files and work areas of crashed writers
    await layout.withLock(async () => undefined, options);
  } catch (error) {
    await layout[Symbol.asyncDispose]();
    throw error;
  }
  // skopeo's --dest-oci-accept-uncompressed-layers: keep uncompressed layers as they are
  const traits = options.ociAcceptUncompressedLayers === true ? ACCEPT_UNCOMPRESSED_TRAITS : TRAITS;
  return new OciDestination(reference, layout, parts.name, traits);
}

class OciDestination implements InternalDestination {
  readonly [INTERNAL] = true as const;
  readonly reference: ImageReference;
  readonly traits: InternalDestination['traits'];
  committedManifestDigest: Digest | undefined = undefined;
  readonly #layout: OciLayout;
  readonly #name: string | undefined;
  /** Blobs this destination created (candidates for removal when disposed without commit). */
  readonly #created = new Set<Digest>();
  /** Every blob this destination stored or reused, checked again at commit. */
  readonly #used = new Set<Digest>();
  #top: IndexEntry | undefined;
  #state: 'open' | 'committed' | 'disposed' = 'open';

  constructor(
    reference: ImageReference,
    layout: OciLayout,
    name: string | undefined,
    traits: InternalDestination['traits'],
  ) {
    this.reference = reference;
    this.traits = traits;
    this.#layout = layout;
    this.#name = name;
  }

  async putBlob(stream: ByteStream, info: PutBlobInfo, options: InternalPutBlobOptions = {}): Promise<StoredBlob> {
    this.#checkOpen();
    const { signal } = options;
    const stored = await this.#layout.putBlob(stream, {
      ...(info.digest && { digest: info.digest }),
      ...(info.size !== undefined && { size: info.size }),
      ...(signal && { signal }),
      ...(options.verifiedByCaller === true && { verifiedByCaller: true }),
    });
    if (stored.created) this.#created.add(stored.digest);
    this.#used.add(stored.digest);
    return { digest: stored.digest, size: stored.size };
  }

  async tryReusingBlob(info: BlobInfo, options: InternalReuseOptions = {}): Promise<ReusedBlob | undefined> {
    this.#checkOpen();
    const wanted = options.requiredCompression;
    // only the very blob asked for is offered; with a required compression, only if it is known to match
    if (wanted !== undefined && info.compression !== wanted) return undefined;
    const size = await this.#layout.claimBlob(
      info.digest,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    if (size === undefined) return undefined;
    this.#used.add(info.digest);
    return { digest: info.digest, size };
  }

  async putManifest(manifest: TypedManifestBlob, options: PutManifestOptions = {}): Promise<void> {
    this.#checkOpen();
    const { instance, signal } = options;
    if (!STORABLE_TYPES.includes(manifest.mediaType)) {
      throw new ImageError(
        'ERR_MANIFEST_TYPE_REJECTED',
        `oci:${this.reference.withinTransport} cannot store a manifest of type ${manifest.mediaType}`,
      );
    }
    const stored = await this.putBlob(
      once(manifest.bytes),
      { ...(instance && { digest: instance }) },
      {
        ...(signal && { signal }),
      },
    );
    if (instance !== undefined) return;
    const annotations = this.#name === undefined ? undefined : { [REF_NAME_ANNOTATION]: this.#name };
    this.#top = {
      mediaType: manifest.mediaType,
      digest: stored.digest,
      size: stored.size,
      ...(annotations && { annotations }),
    };
  }

  async putSignatures(signatures: readonly Signature[]): Promise<void> {
    this.#checkOpen();
    if (signatures.length > 0) {
      throw new ImageError('ERR_NOT_IMPLEMENTED', `oci:${this.reference.withinTransport} cannot store signatures`);
    }
  }

  async commit(options: CommitOptions = {}): Promise<void> {
    this.#checkOpen();
    const top = this.#top;
    if (top === undefined) {
      throw new ImageError(
        'ERR_INVALID_ARGUMENT',
        `commit of oci:${this.reference.withinTransport} before putManifest`,
      );
    }
    await this.#layout.updateIndex(async (index) => {
      // under the lock: a concurrent gc or delete may have removed a blob this image needs; never publish that
      for (const digest of this.#used) {
        if (!(await this.#layout.blobExists(digest, options))) {
          throw new ImageError(
            'ERR_BLOB_UNKNOWN',
            `blob ${digest} disappeared from the OCI layout ${this.#layout.path} before commit`,
          );
        }
      }
      return withEntry(index, top, this.#name);
    }, options);
    this.#state = 'committed';
    this.committedManifestDigest = top.digest;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === 'disposed') return;
    const committed = this.#state === 'committed';
    this.#state = 'disposed';
    try {
      // a blob another live writer may have reused is kept: see nothingWhileOthersWrite
      if (!committed && this.#created.size > 0) {
        await this.#layout.gc({ candidates: this.#created, nothingWhileOthersWrite: true });
      }
    } catch {
      // cleanup is best effort: what is left is unreferenced and goes at the next gc
    } finally {
      await this.#layout[Symbol.asyncDispose]();
    }
  }

  #checkOpen(): void {
    if (this.#state !== 'open') {
      throw new ImageError('ERR_INVALID_ARGUMENT', `oci:${this.reference.withinTransport} was already ${this.#state}`);
    }
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
