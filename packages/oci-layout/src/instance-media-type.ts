import { isListMediaType, parseManifest } from '@ferry/manifest';
import type { CallOptions, Digest } from '@ferry/types';
import type { IndexEntry, LayoutIndex } from './layout-index.ts';

/**
 * The media type a layout names a list instance with: its `index.json` entry first (as containers/image),
 * then the top-level list's own entry for it, read through `readTop`. `undefined` when neither says (the
 * caller then guesses from the bytes); an unreadable list tells nothing, but an abort is rethrown.
 */
export async function instanceMediaType(
  index: LayoutIndex,
  top: IndexEntry,
  instance: Digest,
  readTop: () => Promise<Uint8Array | undefined>,
  options: CallOptions,
): Promise<string | undefined> {
  const inIndex = index.manifests.find((e) => e.digest === instance)?.mediaType;
  if (inIndex !== undefined || !isListMediaType(top.mediaType)) return inIndex;
  try {
    const bytes = await readTop();
    if (bytes === undefined) return undefined;
    const list = parseManifest(bytes, top.mediaType);
    if (list.kind === 'oci-index' || list.kind === 'docker-manifest-list') {
      return list.manifests.find((e) => e.digest === instance)?.mediaType;
    }
  } catch {
    if (options.signal?.aborted === true) throw options.signal.reason;
  }
  return undefined;
}
