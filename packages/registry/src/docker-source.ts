import type {
  BlobInfo,
  BlobStream,
  CallOptions,
  Digest,
  ImageReference,
  ManifestBlob,
  Signature,
  SystemOptions,
} from '@ferry/types';
import { type BlobRange, INTERNAL, type InternalGetBlobOptions, type InternalSource } from '@ferry/types/internal';
import { downloadBlob } from './blob-download.ts';
import type { RegistryImageName } from './docker-reference.ts';
import { type FetchedManifest, fetchManifest } from './manifest-requests.ts';
import { type RegistryClient, signalOf } from './registry-client.ts';
import { openRegistryClient } from './registry-session.ts';
import { readDockerSignatures } from './signature-reading.ts';
import { openSignatureStorage, type SignatureStorage } from './signature-storage.ts';

/** Transport name under which blob locations are recorded in the blob-info cache. */
export const CACHE_TRANSPORT = 'docker';

/**
 * Opens a `docker://` image for reading: the manifest (by tag or digest, verified), instances of a list by
 * digest, and blobs streamed with resume. Every blob read is recorded in the blob-info cache as present
 * in this repository, so a later copy to another repository of the registry can mount it.
 */
export async function openDockerSource(
  reference: ImageReference,
  name: RegistryImageName,
  options: SystemOptions = {},
): Promise<InternalSource> {
  const storage = await openSignatureStorage(name, options.registry, signalOf(options));
  const client = await openRegistryClient(name.domain, name.path, options.registry, signalOf(options));
  return new DockerSource(reference, name, client, storage, options);
}

class DockerSource implements InternalSource {
  readonly [INTERNAL] = true as const;
  readonly reference: ImageReference;
  readonly supportsRangeReads = true;
  readonly #name: RegistryImageName;
  readonly #client: RegistryClient;
  readonly #storage: SignatureStorage;
  readonly #options: SystemOptions;
  #topLevel: Promise<FetchedManifest> | undefined;

  constructor(
    reference: ImageReference,
    name: RegistryImageName,
    client: RegistryClient,
    storage: SignatureStorage,
    options: SystemOptions,
  ) {
    this.reference = reference;
    this.#name = name;
    this.#client = client;
    this.#storage = storage;
    this.#options = options;
  }

  async getManifest(instance?: Digest, options: CallOptions = {}): Promise<ManifestBlob> {
    if (instance !== undefined) {
      const m = await fetchManifest(this.#client, this.#name.path, instance, options);
      return { bytes: m.bytes, mediaType: m.mediaType };
    }
    if (this.#topLevel === undefined) {
      this.#topLevel = fetchManifest(this.#client, this.#name.path, this.#name.digest ?? this.#name.tag, options);
      this.#topLevel.catch(() => {
        this.#topLevel = undefined;
      });
    }
    const m = await this.#topLevel;
    return { bytes: m.bytes, mediaType: m.mediaType };
  }

  async getBlob(info: BlobInfo, options: InternalGetBlobOptions = {}): Promise<BlobStream> {
    const blob = await downloadBlob(this.#client, this.#name.path, info.digest, signalOf(options));
    await options.cache?.recordKnownLocation(CACHE_TRANSPORT, this.#client.host, info.digest, this.#name.path);
    return blob;
  }

  async getBlobRange(info: BlobInfo, range: BlobRange, options: CallOptions = {}): Promise<BlobStream> {
    return downloadBlob(this.#client, this.#name.path, info.digest, {
      ...signalOf(options),
      offset: range.offset,
      ...(range.length === undefined ? {} : { length: range.length }),
    });
  }

  /** Lookaside signatures, then sigstore attachments when `registries.d` enables them. */
  async getSignatures(instance?: Digest, options: CallOptions = {}): Promise<readonly Signature[]> {
    const named = this.#name.digest;
    const digest = instance ?? (named?.startsWith('sha256:') ? named : await this.manifestDigest(options));
    return readDockerSignatures(this.#client, this.#name, this.#storage, digest, {
      ...signalOf(options),
      registry: this.#options.registry ?? {},
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#client[Symbol.asyncDispose]();
  }

  /** The digest of the top-level manifest (fetching it when needed). */
  async manifestDigest(options: CallOptions = {}): Promise<Digest> {
    await this.getManifest(undefined, options);
    return (await (this.#topLevel as Promise<FetchedManifest>)).digest;
  }
}
