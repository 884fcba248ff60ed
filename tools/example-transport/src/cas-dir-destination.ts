import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type {
  CommitOptions,
  Digest,
  ImageDestination,
  PutManifestOptions,
  StoredBlob,
  SystemOptions,
  TypedManifestBlob,
} from '@ferry/types';
import { digestAlgorithm, digestHex, ImageError, MANIFEST_LIMIT, parseDigest } from '@ferry/types';
import type { CasDirReference } from './cas-dir-reference.ts';
import { failure } from './errors.ts';
import { blobPath, readStoreIndex, stagingPath, writeFileAtomic, writeStoreIndex } from './store-layout.ts';
import { writeVerifiedBlob } from './write-verified-blob.ts';

interface StagedManifest {
  readonly digest: Digest;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

/**
 * Opens a store for writing the image `ref.name`. Blobs go to a staging directory of this destination;
 * `commit` moves them into `blobs/`, writes the manifests and then the index, in that order, so a reader
 * never finds an index entry whose files are missing. Disposing removes the staging directory, so an
 * uncommitted write leaves nothing behind.
 */
export async function openCasDirDestination(
  ref: CasDirReference,
  options: SystemOptions = {},
): Promise<ImageDestination> {
  const { root, name } = ref;
  const staging = stagingPath(root);
  try {
    options.signal?.throwIfAborted();
    await mkdir(staging, { recursive: true });
  } catch (error) {
    throw failure(error, options.signal, `cannot create ${staging}`);
  }
  const blobs = new Map<Digest, StoredBlob>();
  // '' is the top-level manifest; other keys are instance digests of a list
  const manifests = new Map<string, StagedManifest>();
  const staged = (digest: Digest): string => join(staging, `${digestAlgorithm(digest)}-${digestHex(digest)}`);

  return {
    reference: ref,
    traits: {
      // every putBlob writes its own temp file, so concurrent calls are safe
      supportsConcurrentBlobWrites: true,
      supportsManifestLists: true,
    },
    async putBlob(stream, info, call = {}): Promise<StoredBlob> {
      const temp = join(staging, `upload-${randomUUID()}`);
      const stored = await writeVerifiedBlob(stream, info, temp, call.signal);
      try {
        await rename(temp, staged(stored.digest));
      } catch (error) {
        await rm(temp, { force: true });
        throw failure(error, call.signal, `cannot stage blob ${stored.digest}`);
      }
      blobs.set(stored.digest, stored);
      return stored;
    },
    async tryReusingBlob(info, call = {}): Promise<StoredBlob | undefined> {
      call.signal?.throwIfAborted();
      const known = blobs.get(info.digest);
      if (known !== undefined) return known;
      // a blob already in the store is shared by content; a missing one is no error
      const size = await stat(blobPath(root, info.digest)).then(
        (s) => (s.isFile() ? s.size : undefined),
        () => undefined,
      );
      return size === undefined || (info.size !== undefined && info.size !== size)
        ? undefined
        : { digest: info.digest, size };
    },
    async putManifest(manifest: TypedManifestBlob, call: PutManifestOptions = {}): Promise<void> {
      call.signal?.throwIfAborted();
      if (manifest.bytes.byteLength > MANIFEST_LIMIT) {
        throw new ImageError(
          'ERR_TOO_LARGE',
          `manifest of ${manifest.bytes.byteLength} bytes for ${ref.withinTransport}`,
        );
      }
      const algorithm = call.instance === undefined ? 'sha256' : digestAlgorithm(call.instance);
      const digest = parseDigest(`${algorithm}:${createHash(algorithm).update(manifest.bytes).digest('hex')}`);
      if (call.instance !== undefined && call.instance !== digest) {
        throw new ImageError('ERR_DIGEST_MISMATCH', `manifest given as instance ${call.instance} hashes to ${digest}`);
      }
      // copied: the caller may reuse its buffer after this call
      manifests.set(call.instance ?? '', { digest, mediaType: manifest.mediaType, bytes: manifest.bytes.slice() });
    },
    async commit(call: CommitOptions = {}): Promise<void> {
      const top = manifests.get('');
      if (top === undefined) {
        throw new ImageError('ERR_INVALID_IMAGE', `commit to cas-dir:${ref.withinTransport} before putManifest`);
      }
      const { signal } = call;
      try {
        for (const digest of blobs.keys()) {
          signal?.throwIfAborted();
          await mkdir(dirname(blobPath(root, digest)), { recursive: true });
          await rename(staged(digest), blobPath(root, digest));
        }
        for (const m of manifests.values()) await writeFileAtomic(blobPath(root, m.digest), m.bytes, signal);
        const instances = [...manifests].filter(([key]) => key !== '').map(([, m]) => [m.digest, m.mediaType]);
        const index = await readStoreIndex(root, signal);
        const image = {
          manifest: { digest: top.digest, mediaType: top.mediaType },
          instances: Object.fromEntries(instances),
        };
        // one writer per store at a time: this read-modify-write of the index takes no lock
        await writeStoreIndex(root, { version: 1, images: { ...index.images, [name]: image } }, signal);
      } catch (error) {
        throw failure(error, signal, `cannot commit cas-dir:${ref.withinTransport}`);
      }
      blobs.clear();
    },
    async [Symbol.asyncDispose](): Promise<void> {
      await rm(staging, { recursive: true, force: true });
    },
  };
}
