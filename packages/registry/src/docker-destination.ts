import { manifestDigest } from '@ferry/manifest';
import type {
  BlobInfo,
  ByteStream,
  CallOptions,
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
  type BlobLocation,
  completeTraits,
  INTERNAL,
  type InternalDestination,
  type InternalPutBlobOptions,
  type InternalReuseOptions,
} from '@ferry/types/internal';
import { type StatBlobOptions, statBlob } from './blob-download.ts';
import { mountBlob } from './blob-mount.ts';
import { uploadBlob } from './blob-upload.ts';
import type { RegistryImageName } from './docker-reference.ts';
import { CACHE_TRANSPORT } from './docker-source.ts';
import { pushScope, storeManifest } from './manifest-requests.ts';
import { updateReferrersFallback } from './referrers.ts';
import { type RegistryClient, signalOf } from './registry-client.ts';
import { openRegistryClient } from './registry-session.ts';
import { openSignatureStorage, type SignatureStorage } from './signature-storage.ts';
import { storableSignatureKinds, writeDockerSignatures } from './signature-writing.ts';

// containers/image tries this many cached locations before uploading
const MOUNT_ATTEMPTS = 5;

/**
 * Opens a repository of a registry for writing an image: blobs are reused when the repository has them
 * (one `HEAD`), mounted from another repository of the registry when the blob-info cache saw them there,
 * else uploaded; manifests go by digest (list instances) or by the reference's tag or digest.
 */
export async function openDockerDestination(
  reference: ImageReference,
  name: RegistryImageName,
  options: SystemOptions = {},
): Promise<InternalDestination> {
  const storage = await openSignatureStorage(name, options.registry, signalOf(options));
  const client = await openRegistryClient(name.domain, name.path, options.registry, signalOf(options));
  return new DockerDestination(reference, name, client, storage);
}

class DockerDestination implements InternalDestination {
  readonly [INTERNAL] = true as const;
  readonly reference: ImageReference;
  readonly traits: InternalDestination['traits'];
  committedManifestDigest: Digest | undefined;
  readonly #name: RegistryImageName;
  readonly #client: RegistryClient;
  readonly #storage: SignatureStorage;

  constructor(reference: ImageReference, name: RegistryImageName, client: RegistryClient, storage: SignatureStorage) {
    this.reference = reference;
    this.#name = name;
    this.#client = client;
    this.#storage = storage;
    this.traits = completeTraits({
      // any type: the registry says which it refuses, and the copy falls back
      supportedManifestMediaTypes: [],
      desiredLayerCompression: 'compress',
      acceptsForeignLayerURLs: true,
      supportsConcurrentBlobWrites: true,
      supportsManifestLists: true,
      // what registries.d allows: a file:// lookaside, sigstore attachments
      supportedSignatureKinds: storableSignatureKinds(storage),
    });
  }

  async putBlob(stream: ByteStream, info: PutBlobInfo, options: InternalPutBlobOptions = {}): Promise<StoredBlob> {
    const stored = await uploadBlob(this.#client, this.#name.path, stream, info, signalOf(options));
    await options.cache?.recordKnownLocation(CACHE_TRANSPORT, this.#client.host, stored.digest, this.#name.path);
    return stored;
  }

  async tryReusingBlob(info: BlobInfo, options: InternalReuseOptions = {}): Promise<ReusedBlob | undefined> {
    const repo = this.#name.path;
    const size = await statBlob(this.#client, repo, info.digest, this.#headOptions(options));
    if (size !== undefined) {
      await options.cache?.recordKnownLocation(CACHE_TRANSPORT, this.#client.host, info.digest, repo);
      return { digest: info.digest, size: size >= 0 ? size : (info.size ?? -1) };
    }
    const cache = options.cache;
    const cached =
      cache === undefined
        ? []
        : await cache.candidateLocations(CACHE_TRANSPORT, this.#client.host, info.digest, {
            canSubstitute: options.canSubstitute === true,
          });
    // the source itself, when it is another repository of this registry: mountable on a first copy
    const source = sourceRepository(options.sourceReference, this.#name.domain);
    const candidates: BlobLocation[] =
      source !== undefined && source !== repo ? [{ digest: info.digest, location: source }, ...cached] : [...cached];
    for (const candidate of candidates.slice(0, MOUNT_ATTEMPTS)) {
      const substitute = candidate.digest !== info.digest;
      if (
        substitute &&
        options.requiredCompression !== undefined &&
        candidate.compression !== options.requiredCompression
      ) {
        continue;
      }
      const here =
        candidate.location === repo ||
        (await mountBlob(this.#client, repo, candidate.digest, candidate.location, signalOf(options)));
      if (!here) continue;
      // a mounted blob is the one asked for (its size known): asking again would only cost a request
      const known = !substitute && info.size !== undefined && info.size >= 0 && candidate.location !== repo;
      const mountedSize = known
        ? info.size
        : await statBlob(this.#client, repo, candidate.digest, this.#headOptions(options));
      if (mountedSize === undefined) continue;
      await cache?.recordKnownLocation(CACHE_TRANSPORT, this.#client.host, candidate.digest, repo);
      const reused: ReusedBlob = {
        digest: candidate.digest,
        size: mountedSize >= 0 ? mountedSize : substitute ? -1 : (info.size ?? -1),
      };
      return substitute && candidate.compression !== undefined
        ? { ...reused, compression: candidate.compression }
        : reused;
    }
    return undefined;
  }

  async putManifest(manifest: TypedManifestBlob, options: PutManifestOptions = {}): Promise<void> {
    const digest = manifestDigest(manifest.bytes);
    if (options.instance !== undefined) {
      const stored = await storeManifest(this.#client, this.#name.path, digest, manifest, signalOf(options));
      await updateReferrersFallback(this.#client, this.#name.path, manifest, stored.subjectHeader, signalOf(options));
      return;
    }
    if (this.#name.digest !== undefined && this.#name.digest !== digest) {
      throw new ImageError(
        'ERR_INVALID_ARGUMENT',
        `the manifest's digest ${digest} does not match the destination ${this.#name.toString()}`,
      );
    }
    const reference = this.#name.digest ?? this.#name.tag;
    const stored = await storeManifest(this.#client, this.#name.path, reference, manifest, signalOf(options));
    await updateReferrersFallback(this.#client, this.#name.path, manifest, stored.subjectHeader, signalOf(options));
    this.committedManifestDigest = digest;
  }

  /**
   * Stores signatures of the manifest just put (or `options.instance`): sigstore ones as attachments,
   * simple-signing ones in the lookaside, as `registries.d` configures.
   */
  async putSignatures(signatures: readonly Signature[], options: PutManifestOptions = {}): Promise<void> {
    if (signatures.length === 0) return;
    const digest = options.instance ?? this.committedManifestDigest;
    if (digest === undefined) {
      throw new ImageError(
        'ERR_INVALID_ARGUMENT',
        `signatures for ${this.#name.toString()} given before its manifest: the manifest digest is unknown`,
      );
    }
    await writeDockerSignatures(this.#client, this.#name, this.#storage, digest, signatures, signalOf(options));
  }

  async commit(_options: CallOptions = {}): Promise<void> {
    // a registry publishes each manifest when it is put
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#client[Symbol.asyncDispose]();
  }

  // HEADs ask with the push scope, whose token the uploads and manifests need anyway: one token, not two
  #headOptions(options: CallOptions): StatBlobOptions {
    return { ...signalOf(options), scope: pushScope(this.#name.path) };
  }
}

// the repository of a docker: source on the registry `domain`, if that is what the source is
function sourceRepository(reference: ImageReference | undefined, domain: string): string | undefined {
  if (reference === undefined || reference.transport.name !== 'docker') return undefined;
  const name = reference.dockerReference;
  return name !== undefined && name.domain === domain ? name.path : undefined;
}
