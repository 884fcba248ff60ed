import { type Manifest, matchesDigest, parseManifest } from '@ferry/manifest';
import { type Digest, ImageError, type ImageSource, MANIFEST_LIMIT } from '@ferry/types';

/**
 * Reads and parses the top-level manifest (or `instance`), refusing more than 4 MiB and, for an instance,
 * bytes that do not match its digest.
 *
 * @throws {@link ImageError} `ERR_TOO_LARGE`, `ERR_DIGEST_MISMATCH`, or a parse error.
 */
export async function readManifest(
  source: Pick<ImageSource, 'getManifest'>,
  instance: Digest | undefined,
  signal: AbortSignal | undefined,
): Promise<Manifest> {
  const blob = await source.getManifest(instance, signal === undefined ? {} : { signal });
  const what = instance === undefined ? 'the manifest' : `manifest ${instance}`;
  if (blob.bytes.byteLength > MANIFEST_LIMIT) {
    throw new ImageError('ERR_TOO_LARGE', `${what} exceeds the ${MANIFEST_LIMIT}-byte limit`);
  }
  if (instance !== undefined && !matchesDigest(blob.bytes, instance)) {
    throw new ImageError('ERR_DIGEST_MISMATCH', `the source returned a manifest that does not match ${instance}`);
  }
  return parseManifest(blob.bytes, blob.mediaType);
}
