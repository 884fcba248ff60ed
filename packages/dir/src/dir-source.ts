import { type FileHandle, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { guessMediaType } from '@ferry/manifest';
import type { BlobInfo, BlobStream, CallOptions, Digest, ManifestBlob, Signature, SystemOptions } from '@ferry/types';
import { decodeSignature, ImageError, MANIFEST_LIMIT } from '@ferry/types';
import { type BlobRange, INTERNAL, type InternalSource } from '@ferry/types/internal';
import { blobFileName, manifestFileName, signatureFileName } from './dir-paths.ts';
import type { DirReference } from './dir-transport.ts';
import { fileRangeStream } from './file-stream.ts';
import { asIoError, systemCode } from './fs-error.ts';

/**
 * Opens a `dir:` image for reading. Fails with `ERR_MANIFEST_UNKNOWN` when the directory does not exist and
 * `ERR_INVALID_IMAGE` when the path is not a directory.
 */
export async function openDirSource(ref: DirReference, options: SystemOptions = {}): Promise<InternalSource> {
  options.signal?.throwIfAborted();
  try {
    if (!(await stat(ref.path)).isDirectory()) {
      throw new ImageError('ERR_INVALID_IMAGE', `dir:${ref.path} is not a directory`);
    }
  } catch (error) {
    if (systemCode(error) === 'ENOENT') {
      throw new ImageError('ERR_MANIFEST_UNKNOWN', `no image at dir:${ref.path}`, { cause: error });
    }
    throw asIoError(error, `opening dir:${ref.path}`);
  }
  return new DirSource(ref);
}

class DirSource implements InternalSource {
  readonly [INTERNAL] = true as const;
  readonly reference: DirReference;
  readonly supportsRangeReads = true;
  constructor(reference: DirReference) {
    this.reference = reference;
  }

  async getManifest(instance?: Digest, options: CallOptions = {}): Promise<ManifestBlob> {
    const file = join(this.reference.path, manifestFileName(instance));
    const what = instance === undefined ? `manifest of dir:${this.reference.path}` : `manifest ${instance}`;
    const handle = await openOr(file, 'ERR_MANIFEST_UNKNOWN', `${what} not found`, options.signal);
    try {
      const { size } = await handle.stat();
      if (size > MANIFEST_LIMIT) throw new ImageError('ERR_TOO_LARGE', `${what} exceeds ${MANIFEST_LIMIT} bytes`);
      const bytes = new Uint8Array(await handle.readFile({ ...(options.signal && { signal: options.signal }) }));
      if (bytes.byteLength > MANIFEST_LIMIT) {
        throw new ImageError('ERR_TOO_LARGE', `${what} exceeds ${MANIFEST_LIMIT} bytes`);
      }
      const mediaType = guessMediaType(bytes);
      return { bytes, mediaType: mediaType === '' ? undefined : mediaType };
    } catch (error) {
      throw asIoError(error, `reading ${file}`, options.signal);
    } finally {
      await handle.close();
    }
  }

  getBlob(info: BlobInfo, options: CallOptions = {}): Promise<BlobStream> {
    return this.getBlobRange(info, { offset: 0 }, options);
  }

  async getBlobRange(info: BlobInfo, range: BlobRange, options: CallOptions = {}): Promise<BlobStream> {
    const file = join(this.reference.path, blobFileName(info.digest));
    const handle = await openOr(
      file,
      'ERR_BLOB_UNKNOWN',
      `blob ${info.digest} not in dir:${this.reference.path}`,
      options.signal,
    );
    try {
      const { size } = await handle.stat();
      const { offset } = range;
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) {
        throw new ImageError('ERR_INVALID_ARGUMENT', `offset ${offset} is outside blob ${info.digest} (${size} bytes)`);
      }
      const length = range.length ?? size - offset;
      if (!Number.isSafeInteger(length) || length < 0 || offset + length > size) {
        throw new ImageError('ERR_INVALID_ARGUMENT', `range ${offset}+${length} is outside blob ${info.digest}`);
      }
      return { stream: fileRangeStream(handle, offset, length, options.signal), size: length };
    } catch (error) {
      await handle.close();
      throw asIoError(error, `reading ${file}`, options.signal);
    }
  }

  async getSignatures(instance?: Digest, options: CallOptions = {}): Promise<readonly Signature[]> {
    const signatures: Signature[] = [];
    for (let i = 0; ; i++) {
      options.signal?.throwIfAborted();
      const file = join(this.reference.path, signatureFileName(i, instance));
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(file));
      } catch (error) {
        if (systemCode(error) === 'ENOENT') return signatures;
        throw asIoError(error, `reading ${file}`, options.signal);
      }
      try {
        signatures.push(decodeSignature(bytes));
      } catch (cause) {
        throw new ImageError('ERR_SIGNATURE_INVALID', `signature file ${file} is malformed`, { cause });
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {}
}

async function openOr(
  file: string,
  code: 'ERR_MANIFEST_UNKNOWN' | 'ERR_BLOB_UNKNOWN',
  message: string,
  signal: AbortSignal | undefined,
): Promise<FileHandle> {
  signal?.throwIfAborted();
  try {
    return await open(file, 'r');
  } catch (error) {
    if (systemCode(error) === 'ENOENT') throw new ImageError(code, message, { cause: error });
    throw asIoError(error, `opening ${file}`);
  }
}
