import {
  type BlobDigest,
  COMPRESSION_MAGIC_LENGTH,
  decompressStream,
  detectCompression,
  readLimited,
  type VerifiedStream,
  verifyStream,
} from '@ferry/blob';
import { DOCKER_V2S2_LAYER_MEDIA_TYPE, DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE } from '@ferry/manifest';
import type { TarArchive, TarEntry } from '@ferry/tar';
import type { ByteStream, CallOptions, Digest } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';

/** How a layer of an archive is described in the synthesized manifest and served. */
export interface LayerFacts {
  /** The layer member (after following links). */
  readonly entry: TarEntry;
  /** The digest of the bytes as served. */
  readonly digest: Digest;
  /** The number of bytes served. */
  readonly size: number;
  /** The media type in the synthesized Docker schema 2 manifest. */
  readonly mediaType: string;
  /** Whether the stored bytes are decompressed when served (zstd, which Docker schema 2 cannot name). */
  readonly decompress: 'zstd' | undefined;
}

/**
 * Learns how to serve a layer member whose config names `diffId`:
 * - uncompressed: as stored, its digest is the diff_id (checked by whoever reads it, as every blob is);
 * - gzip: as stored, with `…rootfs.diff.tar.gzip` and the sha256 of the stored bytes (hashed once here);
 * - zstd: decompressed (as containers/image serves every compressed layer), which is read once here to learn
 *   the size and to check the diff_id.
 *
 * @throws {@link ImageError} `ERR_UNSUPPORTED_COMPRESSION` for bzip2 and xz; `ERR_INVALID_IMAGE` when a zstd
 * layer does not decompress to its diff_id; an abort throws `signal.reason`.
 */
export async function learnLayerFacts(
  archive: TarArchive,
  entry: TarEntry,
  diffId: Digest,
  options: CallOptions = {},
): Promise<LayerFacts> {
  const head = await readLimited(
    archive.openMember(entry, { ...options, end: Math.min(entry.size, COMPRESSION_MAGIC_LENGTH) }),
    COMPRESSION_MAGIC_LENGTH,
    options,
  );
  const compression = detectCompression(head);
  switch (compression) {
    case 'none':
      return { entry, digest: diffId, size: entry.size, mediaType: UNCOMPRESSED, decompress: undefined };
    case 'gzip': {
      const digest = (await drain(verifyStream(archive.openMember(entry, options), options))).digest;
      return { entry, digest, size: entry.size, mediaType: DOCKER_V2S2_LAYER_MEDIA_TYPE, decompress: undefined };
    }
    case 'zstd': {
      const plain = decompressStream(archive.openMember(entry, options), 'zstd', options);
      try {
        const { size } = await drain(verifyStream(plain, { ...options, digest: diffId, what: `layer ${entry.name}` }));
        return { entry, digest: diffId, size, mediaType: UNCOMPRESSED, decompress: 'zstd' };
      } catch (cause) {
        if (!isImageError(cause, 'ERR_DIGEST_MISMATCH')) throw cause;
        throw new ImageError('ERR_INVALID_IMAGE', `layer ${entry.name} does not decompress to its diff_id ${diffId}`, {
          cause,
        });
      }
    }
    default:
      throw new ImageError(
        'ERR_UNSUPPORTED_COMPRESSION',
        `layer ${entry.name} is ${compression}-compressed, which a Docker schema 2 manifest cannot name`,
      );
  }
}

/** Streams a layer as its facts say: the stored bytes, or decompressed. */
export function serveLayer(archive: TarArchive, facts: LayerFacts, options: CallOptions = {}): ByteStream {
  const stored = archive.openMember(facts.entry, options);
  return facts.decompress === undefined ? stored : decompressStream(stored, facts.decompress, options);
}

const UNCOMPRESSED = DOCKER_V2S2_LAYER_UNCOMPRESSED_MEDIA_TYPE;

async function drain(stream: VerifiedStream): Promise<BlobDigest> {
  for await (const _ of stream) {
    // hashing happens as the bytes pass
  }
  if (stream.result === undefined) throw new ImageError('ERR_IO', 'a verified stream ended without a result');
  return stream.result;
}
