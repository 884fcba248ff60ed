import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { digestBytes, writeBytesAtomic, writeFileAtomic } from '@ferry/blob';
import { manifestDigest } from '@ferry/manifest';
import type {
  BlobInfo,
  ByteStream,
  CallOptions,
  CommitOptions,
  Digest,
  PutBlobInfo,
  PutManifestOptions,
  ReusedBlob,
  Signature,
  StoredBlob,
  SystemOptions,
  TypedManifestBlob,
} from '@ferry/types';
import { digestAlgorithm, encodeSignature, ImageError } from '@ferry/types';
import { completeTraits, INTERNAL, type InternalDestination, type InternalPutBlobOptions } from '@ferry/types/internal';
import {
  blobFileName,
  manifestFileName,
  signatureFileName,
  VERSION_1_1,
  VERSION_1_2,
  VERSION_FILE,
} from './dir-paths.ts';
import type { DirReference } from './dir-transport.ts';
import { asIoError, systemCode } from './fs-error.ts';

import { checkReplaceable, cleanLeftovers, createStaging, swapIn } from './staging.ts';

const TRAITS = completeTraits({
  supportedManifestMediaTypes: [],
  supportsConcurrentBlobWrites: true,
  supportedSignatureKinds: ['simple-signing', 'sigstore'],
  supportsManifestLists: true,
});

/**
 * Opens a `dir:` destination: cleans what killed writers left beside the target, refuses (`ERR_CLOBBER`)
 * a target that is neither absent, empty nor a `dir:` image, and creates a staging directory beside it.
 * `options.tempDir` is ignored: the staging directory must be on the target's file system for the swap.
 */
export async function openDirDestination(ref: DirReference, options: SystemOptions = {}): Promise<InternalDestination> {
  options.signal?.throwIfAborted();
  try {
    // a symlink to a directory is written through (the swap happens beside the real directory), as skopeo
    const target = await realpath(ref.path).catch(() => ref.path);
    await createParentAndClean(target);
    await checkReplaceable(target);
    return new DirDestination(ref, target, await createStaging(target));
  } catch (error) {
    throw asIoError(error, `opening dir:${ref.path} for writing`, options.signal);
  }
}

async function createParentAndClean(target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await cleanLeftovers(target);
}

class DirDestination implements InternalDestination {
  readonly [INTERNAL] = true as const;
  readonly reference: DirReference;
  readonly traits: InternalDestination['traits'] = TRAITS;
  committedManifestDigest: Digest | undefined = undefined;
  readonly #staging: string;
  readonly #target: string;
  readonly #blobs = new Map<Digest, number>();
  #topLevel: Uint8Array | undefined;
  #nonSha256 = false;
  #state: 'open' | 'committed' | 'disposed' = 'open';

  constructor(reference: DirReference, target: string, staging: string) {
    this.reference = reference;
    this.#target = target;
    this.#staging = staging;
  }

  async putBlob(stream: ByteStream, info: PutBlobInfo, options: InternalPutBlobOptions = {}): Promise<StoredBlob> {
    this.#checkOpen();
    const { signal } = options;
    const what = `blob ${info.digest ?? '(digest unknown)'} for dir:${this.reference.path}`;
    const common = { ...(signal && { signal }), ...(info.size !== undefined && { size: info.size }), what };
    let result: StoredBlob;
    if (info.digest !== undefined) {
      // verified while streaming; published under its name inside the staging directory only once it matched
      result = await writeFileAtomic(join(this.#staging, blobFileName(info.digest)), stream, {
        ...common,
        digest: info.digest,
      });
    } else {
      const temp = join(this.#staging, `.unnamed-${randomBytes(6).toString('hex')}`);
      result = await writeFileAtomic(temp, stream, common);
      try {
        await rename(temp, join(this.#staging, blobFileName(result.digest)));
      } catch (error) {
        await rm(temp, { force: true });
        throw asIoError(error, `storing ${what}`, signal);
      }
    }
    this.#noteDigest(result.digest);
    this.#blobs.set(result.digest, result.size);
    return { digest: result.digest, size: result.size };
  }

  async tryReusingBlob(info: BlobInfo): Promise<ReusedBlob | undefined> {
    const size = this.#blobs.get(info.digest);
    return size === undefined || this.#state !== 'open' ? undefined : { digest: info.digest, size };
  }

  async putManifest(manifest: TypedManifestBlob, options: PutManifestOptions = {}): Promise<void> {
    this.#checkOpen();
    const { instance, signal } = options;
    if (instance !== undefined) this.#noteDigest(instance);
    const file = join(this.#staging, manifestFileName(instance));
    await writeBytesAtomic(file, manifest.bytes, { ...(signal && { signal }), what: `manifest ${file}` });
    if (instance === undefined) this.#topLevel = manifest.bytes.slice();
  }

  async putSignatures(signatures: readonly Signature[], options: PutManifestOptions = {}): Promise<void> {
    this.#checkOpen();
    const { instance, signal } = options;
    if (instance !== undefined) this.#noteDigest(instance);
    for (const [i, signature] of signatures.entries()) {
      const file = join(this.#staging, signatureFileName(i, instance));
      await writeBytesAtomic(file, encodeSignature(signature), {
        ...(signal && { signal }),
        what: `signature ${file}`,
      });
    }
    // replacing: signatures stored by an earlier call beyond the new count go away
    for (let i = signatures.length; ; i++) {
      const file = join(this.#staging, signatureFileName(i, instance));
      try {
        await rm(file);
      } catch (error) {
        if (systemCode(error) === 'ENOENT') break;
        throw asIoError(error, `removing ${file}`, signal);
      }
    }
  }

  async commit(options: CommitOptions = {}): Promise<void> {
    this.#checkOpen();
    const { signal } = options;
    const topLevel = this.#topLevel;
    if (topLevel === undefined) {
      throw new ImageError('ERR_INVALID_ARGUMENT', `commit of dir:${this.reference.path} before putManifest`);
    }
    const version = this.#nonSha256 ? VERSION_1_2 : VERSION_1_1;
    const encoded = new TextEncoder().encode(version);
    await writeBytesAtomic(join(this.#staging, VERSION_FILE), encoded, { ...(signal && { signal }) });
    signal?.throwIfAborted();
    try {
      await swapIn(this.#staging, this.#target);
    } catch (error) {
      throw asIoError(error, `committing dir:${this.reference.path}`, signal);
    }
    this.#state = 'committed';
    this.committedManifestDigest = digestOfManifest(topLevel);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === 'open') await rm(this.#staging, { recursive: true, force: true });
    if (this.#state !== 'committed') this.#state = 'disposed';
  }

  #checkOpen(options?: CallOptions): void {
    options?.signal?.throwIfAborted();
    if (this.#state !== 'open') {
      throw new ImageError('ERR_INVALID_ARGUMENT', `destination dir:${this.reference.path} is already ${this.#state}`);
    }
  }

  #noteDigest(digest: Digest): void {
    if (digestAlgorithm(digest) !== 'sha256') this.#nonSha256 = true;
  }
}

// a signed schema 1 manifest's digest covers its payload only; anything unparsable falls back to the bytes
function digestOfManifest(bytes: Uint8Array): Digest {
  try {
    return manifestDigest(bytes);
  } catch {
    return digestBytes(bytes);
  }
}
