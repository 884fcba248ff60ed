import { isManifestMediaType, type Manifest, parseManifest } from '@ferry/manifest';
import { type Digest, ImageError } from '@ferry/types';
import type { IndexEntry } from './layout-index.ts';
import { readSmallBlob } from './read-small-blob.ts';

/** A descriptor as far as reachability needs it. */
export interface BlobRef {
  readonly digest: Digest;
  readonly mediaType: string;
}

/**
 * Every blob digest reachable from `roots` in the layout at `root`: the roots, and recursively the
 * instances of indexes/lists and the config and layers of manifests. Descriptors whose media type is not a
 * manifest type are leaves. A `subject` is not followed in either direction: a referrer is kept only when
 * `index.json` (or an index it names) lists it, as the image-layout spec asks. A manifest blob that is
 * missing is a leaf; one that cannot be parsed fails the walk, so nothing is deleted on a guess.
 *
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` when a reachable manifest is malformed.
 */
export async function reachableBlobs(
  root: string,
  roots: readonly BlobRef[],
  signal?: AbortSignal,
): Promise<Set<Digest>> {
  const seen = new Set<Digest>();
  const pending: BlobRef[] = [...roots];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (seen.has(next.digest)) continue;
    seen.add(next.digest);
    if (!isManifestMediaType(next.mediaType)) continue;
    const bytes = await readSmallBlob(root, next.digest, signal);
    if (bytes === undefined) continue;
    pending.push(...childrenOf(parse(bytes, next)));
  }
  return seen;
}

/** The blob references an index's entries make. */
export function entryRefs(entries: readonly IndexEntry[]): BlobRef[] {
  return entries.map((e) => ({ digest: e.digest, mediaType: e.mediaType }));
}

function parse(bytes: Uint8Array, ref: BlobRef): Manifest {
  try {
    return parseManifest(bytes, ref.mediaType);
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', `manifest ${ref.digest} is malformed: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function childrenOf(manifest: Manifest): BlobRef[] {
  switch (manifest.kind) {
    case 'docker-schema1':
      return manifest.fsLayers.map((digest) => ({ digest, mediaType: 'application/octet-stream' }));
    case 'docker-schema2':
    case 'oci-manifest':
      return [manifest.config, ...manifest.layers];
    case 'docker-manifest-list':
    case 'oci-index':
      return [...manifest.manifests];
  }
}
