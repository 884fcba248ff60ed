import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from '@ferry/manifest';
import { ImageError } from '@ferry/types';
import { type IndexEntry, type LayoutIndex, refNameOf } from './layout-index.ts';
import type { OciReferenceParts } from './oci-reference-text.ts';

const READABLE_TYPES: readonly string[] = [
  OCI_MANIFEST_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  DOCKER_V2_LIST_MEDIA_TYPE,
];

/** An entry of `index.json` and its position. */
export interface ResolvedEntry {
  readonly entry: IndexEntry;
  readonly position: number;
}

/**
 * Finds the entry an `oci:` reference names, as containers/image: `@N` is the N-th entry; a name is the
 * first entry with that `org.opencontainers.image.ref.name` and a manifest or index media type; no name
 * means the only entry.
 *
 * @throws {@link ImageError} `ERR_MANIFEST_UNKNOWN` when nothing matches (or, without a name, when the
 * layout holds several images); `ERR_UNSUPPORTED_MEDIA_TYPE` when the name matches only other media types.
 * @example
 * ```ts
 * const { entry } = resolveEntry(await layout.readIndex(), parseOciReferenceText('/srv/layout:v1'));
 * ```
 */
export function resolveEntry(index: LayoutIndex, parts: OciReferenceParts): ResolvedEntry {
  const where = `the OCI layout ${parts.dir}`;
  const { manifests } = index;
  if (parts.sourceIndex !== undefined) {
    const entry = manifests[parts.sourceIndex];
    if (entry === undefined) {
      throw new ImageError(
        'ERR_MANIFEST_UNKNOWN',
        `index @${parts.sourceIndex} is too large: ${where} has only ${manifests.length} entries`,
      );
    }
    return { entry, position: parts.sourceIndex };
  }
  if (parts.name !== undefined) {
    const named = manifests
      .map((entry, position) => ({ entry, position }))
      .filter((r) => refNameOf(r.entry) === parts.name);
    const found = named.find((r) => READABLE_TYPES.includes(r.entry.mediaType));
    if (found !== undefined) return found;
    if (named.length > 0) {
      const types = named.map((r) => r.entry.mediaType).join(', ');
      throw new ImageError(
        'ERR_UNSUPPORTED_MEDIA_TYPE',
        `reference ${JSON.stringify(parts.name)} in ${where} names unsupported media types ${types}`,
      );
    }
    throw new ImageError('ERR_MANIFEST_UNKNOWN', `no image named ${JSON.stringify(parts.name)} in ${where}`);
  }
  const only = manifests[0];
  if (manifests.length !== 1 || only === undefined) {
    const count = manifests.length === 0 ? 'no image' : `${manifests.length} images`;
    throw new ImageError('ERR_MANIFEST_UNKNOWN', `${where} holds ${count}: choose one with :NAME or :@N`);
  }
  return { entry: only, position: 0 };
}
