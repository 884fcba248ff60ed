import { createReadStream } from 'node:fs';
import { digestBytes, MANIFEST_LIMIT, readLimited } from '@ferry/blob';
import { DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE, DOCKER_V2S2_MEDIA_TYPE, parseManifest } from '@ferry/manifest';
import { withDefaultTag } from '@ferry/reference';
import type {
  BlobInfo,
  ByteStream,
  CallOptions,
  CommitOptions,
  Digest,
  ImageReference,
  NamedReference,
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
import type { DockerArchiveWriter } from './docker-archive-writer.ts';
import type { ArchiveImage, StagedBlob } from './write-archive.ts';

const TRAITS = completeTraits({
  supportedManifestMediaTypes: [DOCKER_V2S2_MEDIA_TYPE],
  desiredLayerCompression: 'decompress',
  supportsConcurrentBlobWrites: true,
});

/**
 * A destination adding one image to a {@link DockerArchiveWriter}. With `owns`, its `commit` also commits the
 * writer and disposing of it disposes of the writer.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for a tag (or additional tag) with a digest.
 */
export function openArchiveDestination(
  writer: DockerArchiveWriter,
  reference: ImageReference,
  name: NamedReference | undefined,
  options: SystemOptions,
  owns: boolean,
): InternalDestination {
  const tags = [...(name === undefined ? [] : [name]), ...(options.additionalTags ?? [])].map((t) => {
    if (t.digest !== undefined) {
      throw new ImageError('ERR_INVALID_ARGUMENT', `docker-archive cannot record a digest reference: ${t.toString()}`);
    }
    const tagged = withDefaultTag(t);
    return { name: tagged.name, tag: tagged.tag as string };
  });
  return new DockerArchiveDestination(writer, reference, tags, owns);
}

/**
 * Writes one image into a `docker save` archive: Docker schema 2 manifests, layers wanted uncompressed,
 * concurrent `putBlob` (each blob staged in its own file, verified while streaming), no signatures.
 */
class DockerArchiveDestination implements InternalDestination {
  readonly [INTERNAL] = true as const;
  readonly reference: ImageReference;
  readonly traits: InternalDestination['traits'] = TRAITS;
  committedManifestDigest: Digest | undefined = undefined;
  readonly #writer: DockerArchiveWriter;
  readonly #tags: ArchiveImage['repoTags'];
  readonly #owns: boolean;
  #image: { readonly image: ArchiveImage; readonly digest: Digest } | undefined;

  constructor(writer: DockerArchiveWriter, reference: ImageReference, tags: ArchiveImage['repoTags'], owns: boolean) {
    this.#writer = writer;
    this.reference = reference;
    this.#tags = tags;
    this.#owns = owns;
  }

  putBlob(stream: ByteStream, info: PutBlobInfo, options: InternalPutBlobOptions = {}): Promise<StoredBlob> {
    return this.#writer.stageBlob(stream, info, {
      ...signalOnly(options),
      ...(options.isConfig === true && { isConfig: true }),
    });
  }

  async tryReusingBlob(info: BlobInfo, options: InternalReuseOptions = {}): Promise<ReusedBlob | undefined> {
    try {
      const staged = this.#writer.stagedBlob(info.digest);
      if (staged !== undefined) return { digest: staged.digest, size: staged.size };
      if (options.canSubstitute !== true || options.cache === undefined) return undefined;
      if (options.requiredCompression !== undefined && options.requiredCompression !== 'none') return undefined;
      const plain = await options.cache.uncompressedDigest(info.digest);
      const substitute = plain === undefined ? undefined : this.#writer.stagedBlob(plain);
      if (substitute === undefined) return undefined;
      return {
        digest: substitute.digest,
        size: substitute.size,
        compression: 'none',
        mediaType: DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE,
      };
    } catch {
      // reuse is an optimisation: a closed writer or a failing cache means "not reusable"
      return undefined;
    }
  }

  async putManifest(manifest: TypedManifestBlob, options: PutManifestOptions = {}): Promise<void> {
    if (options.instance !== undefined) {
      throw new ImageError('ERR_NOT_IMPLEMENTED', 'manifest lists are not supported by docker-archive');
    }
    let parsed: ReturnType<typeof parseManifest>;
    try {
      parsed = parseManifest(manifest.bytes, manifest.mediaType);
    } catch (cause) {
      throw new ImageError('ERR_MANIFEST_TYPE_REJECTED', 'docker-archive needs a Docker schema 2 manifest', { cause });
    }
    // an OCI image manifest names the same things and is accepted too; lists and schema 1 are not
    if (parsed.kind !== 'docker-schema2' && parsed.kind !== 'oci-manifest') {
      throw new ImageError(
        'ERR_MANIFEST_TYPE_REJECTED',
        `docker-archive needs a Docker schema 2 manifest, not ${parsed.mediaType}`,
      );
    }
    const config = this.#staged(parsed.config.digest);
    const layers = parsed.layers.map((l) => this.#staged(l.digest));
    const configBytes = await readLimited(createReadStream(config.path, { start: config.dataOffset }), MANIFEST_LIMIT, {
      ...signalOnly(options),
      what: `config ${config.digest}`,
    });
    this.#image = {
      image: { config, configBytes, layers, repoTags: this.#tags },
      digest: digestBytes(manifest.bytes),
    };
  }

  async putSignatures(signatures: readonly Signature[]): Promise<void> {
    if (signatures.length > 0) {
      throw new ImageError('ERR_NOT_IMPLEMENTED', 'storing signatures in a docker archive is not supported');
    }
  }

  async commit(options: CommitOptions = {}): Promise<void> {
    if (this.#image === undefined) {
      throw new ImageError(
        'ERR_INVALID_ARGUMENT',
        `commit before putManifest on docker-archive:${this.reference.withinTransport}`,
      );
    }
    this.#writer.addImage(this.#image.image);
    if (this.#owns) await this.#writer.commit(signalOnly(options));
    this.committedManifestDigest = this.#image.digest;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#owns) await this.#writer[Symbol.asyncDispose]();
  }

  #staged(digest: Digest): StagedBlob {
    const staged = this.#writer.stagedBlob(digest);
    if (staged === undefined) {
      throw new ImageError(
        'ERR_BLOB_UNKNOWN',
        `blob ${digest} was not written to docker-archive:${this.reference.withinTransport}`,
      );
    }
    return staged;
  }
}

function signalOnly(options: CallOptions): CallOptions {
  return options.signal === undefined ? {} : { signal: options.signal };
}
