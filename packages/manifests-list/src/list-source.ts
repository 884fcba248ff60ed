import { configDescriptor, isListMediaType, layerInfos, matchesDigest, parseManifest } from '@ferry/manifest';
import {
  type BlobInfo,
  type BlobStream,
  type CallOptions,
  type Digest,
  ImageError,
  type ImageReference,
  type ImageSource,
  isImageError,
  type ManifestBlob,
  type PolicyContext,
  type Signature,
  type SystemOptions,
  type Transport,
} from '@ferry/types';

/** Where one instance of a stored list lives: the source it was added from, and where in it. */
interface LocatedInstance {
  readonly source: ImageSource;
  /** `undefined` when the instance is the source's top-level image, else its digest within the source's list. */
  readonly originInstance: Digest | undefined;
  readonly manifest: ManifestBlob;
}

/** What a stored list is pushed from: its bytes, and where each instance can be read. */
export interface ListSourceInit {
  /** The list's name, for messages and the pseudo reference. */
  readonly name: string;
  /** The list as it is to be pushed. */
  readonly list: ManifestBlob;
  /** Instance digest → the reference it was added from. */
  readonly origins: ReadonlyMap<Digest, () => ImageReference>;
  /** Options for opening the origins. */
  readonly systemOptions?: SystemOptions;
}

const TRANSPORT: Transport = {
  name: 'ferry-manifest-list',
  parseReference: () => {
    throw new ImageError('ERR_NOT_IMPLEMENTED', 'a stored manifest list is not named by a reference');
  },
};

/**
 * A read-only image whose top-level manifest is a stored list and whose instances (manifests, blobs and
 * signatures) are read from the images they were added from: containers/image's "supplemented" reference,
 * without containers-storage. Each origin is opened once, on first use; blobs are served by the origin whose
 * manifest named them. Together with {@link originPolicy}, every instance is judged by the trust policy as
 * an image of its origin (its transport, scope and signatures).
 */
export class ListImage {
  readonly reference: ImageReference;
  readonly #init: ListSourceInit;
  readonly #opened = new Map<() => ImageReference, Promise<ImageSource>>();
  readonly #located = new Map<Digest, Promise<LocatedInstance>>();
  readonly #blobOwners = new Map<Digest, ImageSource>();

  constructor(init: ListSourceInit) {
    this.#init = init;
    const source = this.#source();
    this.reference = {
      transport: TRANSPORT,
      withinTransport: init.name,
      policyIdentity: '',
      policyNamespaces: [],
      newImageSource: async () => source,
      newImageDestination: () =>
        Promise.reject(new ImageError('ERR_NOT_IMPLEMENTED', `the manifest list ${init.name} is read-only here`)),
    };
  }

  /** The origin source of `instance` and where the instance is in it (read once; digest-checked). */
  locate(instance: Digest, options?: CallOptions): Promise<LocatedInstance> {
    let found = this.#located.get(instance);
    if (found === undefined) {
      found = this.#locate(instance, options);
      this.#located.set(instance, found);
      found.catch(() => this.#located.delete(instance));
    }
    return found;
  }

  /** Closes every origin opened. */
  async close(): Promise<void> {
    const sources = await Promise.allSettled(this.#opened.values());
    this.#opened.clear();
    for (const s of sources) if (s.status === 'fulfilled') await s.value[Symbol.asyncDispose]();
  }

  async #locate(instance: Digest, options?: CallOptions): Promise<LocatedInstance> {
    const origin = this.#init.origins.get(instance);
    if (origin === undefined) {
      throw new ImageError('ERR_MANIFEST_UNKNOWN', `instance ${instance} of ${this.#init.name} has no recorded origin`);
    }
    const source = await this.#open(origin);
    const name = `${source.reference.transport.name}:${source.reference.withinTransport}`;
    // as added from a single image: its top-level manifest; as added from a list: the instance within it
    const top = await source.getManifest(undefined, options);
    if (matchesDigest(top.bytes, instance)) return this.#record(source, undefined, top);
    if (!isListMediaType(top.mediaType ?? parseManifest(top.bytes).mediaType)) throw changed(instance, name);
    let manifest: ManifestBlob;
    try {
      manifest = await source.getManifest(instance, options);
    } catch (error) {
      if (isImageError(error, 'ERR_MANIFEST_UNKNOWN')) throw changed(instance, name, error);
      throw error;
    }
    if (!matchesDigest(manifest.bytes, instance)) throw changed(instance, name);
    return this.#record(source, instance, manifest);
  }

  #record(source: ImageSource, originInstance: Digest | undefined, manifest: ManifestBlob): LocatedInstance {
    const parsed = parseManifest(manifest.bytes, manifest.mediaType);
    if (parsed.kind !== 'docker-manifest-list' && parsed.kind !== 'oci-index') {
      const config = configDescriptor(parsed);
      if (config !== undefined) this.#blobOwners.set(config.digest, source);
      for (const layer of layerInfos(parsed)) this.#blobOwners.set(layer.digest, source);
    }
    return { source, originInstance, manifest };
  }

  #open(origin: () => ImageReference): Promise<ImageSource> {
    let opened = this.#opened.get(origin);
    if (opened === undefined) {
      opened = Promise.resolve().then(() => origin().newImageSource(this.#init.systemOptions));
      this.#opened.set(origin, opened);
    }
    return opened;
  }

  #source(): ImageSource {
    const image = this;
    const init = this.#init;
    return {
      get reference(): ImageReference {
        return image.reference;
      },
      async getManifest(instance?: Digest, options?: CallOptions): Promise<ManifestBlob> {
        if (instance === undefined) return init.list;
        return (await image.locate(instance, options)).manifest;
      },
      async getBlob(info: BlobInfo, options?: CallOptions): Promise<BlobStream> {
        const owner = image.#blobOwners.get(info.digest);
        if (owner === undefined) {
          throw new ImageError('ERR_BLOB_UNKNOWN', `blob ${info.digest} is not named by any instance of ${init.name}`);
        }
        return owner.getBlob(info, options);
      },
      async getSignatures(instance?: Digest, options?: CallOptions): Promise<readonly Signature[]> {
        // the list is built here and has no stored signatures; an instance keeps those of its origin
        if (instance === undefined) return [];
        const located = await image.locate(instance, options);
        return (await located.source.getSignatures?.(located.originInstance, options)) ?? [];
      },
      async [Symbol.asyncDispose](): Promise<void> {
        await image.close();
      },
    };
  }
}

/**
 * The policy a stored list is pushed under: the list itself is the user's own (built locally, as podman's
 * lists in containers-storage are), and each instance is judged as the image of its origin, by `policy`.
 */
export function originPolicy(policy: PolicyContext, image: ListImage): PolicyContext {
  return {
    async checkImageAllowed({ instance }, options) {
      if (instance === undefined) return;
      const located = await image.locate(instance, options);
      await policy.checkImageAllowed(
        located.originInstance === undefined
          ? { source: located.source }
          : { source: located.source, instance: located.originInstance },
        options,
      );
    },
  };
}

function changed(instance: Digest, origin: string, cause?: unknown): ImageError {
  return new ImageError(
    'ERR_MANIFEST_UNKNOWN',
    `instance ${instance} is no longer at ${origin}, where it was added from (the image changed since)`,
    cause === undefined ? undefined : { cause },
  );
}
