import { open, stat } from 'node:fs/promises';
import type { BlobStream, ByteStream, Digest, ImageSource, ManifestBlob, SystemOptions } from '@ferry/types';
import { ImageError, MANIFEST_LIMIT } from '@ferry/types';
import type { CasDirReference } from './cas-dir-reference.ts';
import { failure, hasErrno } from './errors.ts';
import { blobPath, imageRecord, readStoreIndex } from './store-layout.ts';

const CHUNK = 1 << 20;

/**
 * Opens the image `ref.name` of a store for reading. The index is read once, so the source sees the image
 * as it was when opened even if a writer commits meanwhile.
 */
export async function openCasDirSource(ref: CasDirReference, options: SystemOptions = {}): Promise<ImageSource> {
  const image = imageRecord(await readStoreIndex(ref.root, options.signal), ref.name);
  if (image === undefined) throw new ImageError('ERR_MANIFEST_UNKNOWN', `no image cas-dir:${ref.withinTransport}`);
  const { root } = ref;
  return {
    reference: ref,
    async getManifest(instance?: Digest, call = {}): Promise<ManifestBlob> {
      const mediaType =
        instance === undefined || instance === image.manifest.digest
          ? image.manifest.mediaType
          : Object.hasOwn(image.instances, instance)
            ? image.instances[instance]
            : undefined;
      if (mediaType === undefined) {
        throw new ImageError('ERR_MANIFEST_UNKNOWN', `no manifest ${instance} in cas-dir:${ref.withinTransport}`);
      }
      const file = blobPath(root, instance ?? image.manifest.digest);
      try {
        call.signal?.throwIfAborted();
        const handle = await open(file, 'r');
        try {
          // a manifest is read whole, so its size is bounded first
          const { size } = await handle.stat();
          if (size > MANIFEST_LIMIT) throw new ImageError('ERR_TOO_LARGE', `manifest ${file} has ${size} bytes`);
          return { bytes: new Uint8Array(await handle.readFile()), mediaType };
        } finally {
          await handle.close();
        }
      } catch (error) {
        throw failure(error, call.signal, `cannot read manifest ${file}`);
      }
    },
    async getBlob(info, call = {}): Promise<BlobStream> {
      const file = blobPath(root, info.digest);
      try {
        call.signal?.throwIfAborted();
        // stat now, so an unknown blob fails here rather than when the stream is first read
        const { size } = await stat(file);
        return { stream: readChunks(file, call.signal), size };
      } catch (error) {
        if (hasErrno(error, 'ENOENT')) {
          throw new ImageError('ERR_BLOB_UNKNOWN', `no blob ${info.digest} in cas-dir:${ref.withinTransport}`, {
            cause: error,
          });
        }
        throw failure(error, call.signal, `cannot read blob ${file}`);
      }
    },
    // nothing stays open between calls; every stream closes its own file
    async [Symbol.asyncDispose](): Promise<void> {},
  };
}

// the file is opened on the first read: a generator never started runs no `finally`, so opening it
// earlier would leak the handle when the receiver just calls `return()`
async function* readChunks(file: string, signal: AbortSignal | undefined): ByteStream {
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw failure(error, signal, `cannot read blob ${file}`);
  });
  try {
    for (;;) {
      signal?.throwIfAborted();
      const buffer = new Uint8Array(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } catch (error) {
    throw failure(error, signal, `cannot read blob ${file}`);
  } finally {
    await handle.close();
  }
}
