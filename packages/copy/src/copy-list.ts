import {
  convertManifest,
  isListMediaType,
  type ManifestList,
  type ManifestMediaType,
  parseManifest,
} from '@ferry/manifest';
import { type Digest, ImageError, isImageError, type PolicyContext } from '@ferry/types';
import { chooseEntries } from './choose-entries.ts';
import type { CopyContext } from './copy-context.ts';
import type { CopyResult, ImageListSelection } from './copy-options.ts';
import { copySingleImage } from './copy-single.ts';
import { listCandidates } from './manifest-plan.ts';
import { newSignatures } from './new-signatures.ts';
import { readManifest } from './read-manifest.ts';
import { sourceSignatures } from './signatures.ts';

/**
 * Copies the chosen instances of a list, one after the other (their blobs share the copy's semaphore), then
 * writes the list: the original bytes when no instance changed and the type is accepted, else an updated and
 * possibly converted list.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when the destination cannot store lists.
 */
export async function copyList(
  ctx: CopyContext,
  policy: PolicyContext,
  list: ManifestList,
  selection: Exclude<ImageListSelection, 'system'>,
): Promise<CopyResult> {
  const { destination, signal } = ctx;
  const callOptions = signal === undefined ? {} : { signal };
  if (!destination.traits.supportsManifestLists) {
    const name = `${destination.reference.transport.name}:${destination.reference.withinTransport}`;
    throw new ImageError('ERR_INVALID_ARGUMENT', `${name} cannot store a manifest list; copy a single image instead`);
  }
  const signatures = await sourceSignatures(ctx, undefined, 'image list');
  const cannotModify =
    ctx.options.preserveDigests === true
      ? 'preserveDigests is set'
      : signatures.length > 0
        ? 'it would invalidate the list signatures (use removeSignatures)'
        : undefined;
  const types = listCandidates(
    list.mediaType,
    destination.traits.supportedManifestMediaTypes,
    ctx.options.forceManifestMediaType,
  );
  if (types[0] !== list.mediaType && cannotModify !== undefined) {
    throw new ImageError(
      'ERR_MANIFEST_CONVERSION',
      `the list would have to be converted to ${types[0]}, but ${cannotModify}`,
    );
  }
  const entries = chooseEntries(list, selection);
  ctx.report(`Copying ${entries.length} images generated from ${list.manifests.length} images in list`);
  const updates = new Map<Digest, CopyResult>();
  for (const [i, entry] of entries.entries()) {
    ctx.report(`Copying image ${entry.digest} (${i + 1}/${entries.length})`);
    await policy.checkImageAllowed({ source: ctx.source, instance: entry.digest }, callOptions);
    const manifest = await readManifest(ctx.source, entry.digest, signal);
    if (manifest.kind === 'docker-manifest-list' || manifest.kind === 'oci-index') {
      throw new ImageError('ERR_INVALID_IMAGE', `instance ${entry.digest} of the list is itself a list`);
    }
    updates.set(entry.digest, await copySingleImage(ctx, { manifest, sourceInstance: entry.digest, asInstance: true }));
  }
  ctx.report('Writing manifest list to image destination');
  const written = await writeList(ctx, list, updates, types, cannotModify);
  const all = [...signatures, ...(await newSignatures(ctx, written))];
  if (all.length > 0) {
    ctx.report('Storing list signatures');
    await destination.putSignatures(all, callOptions);
  }
  return written;
}

async function writeList(
  ctx: CopyContext,
  list: ManifestList,
  updates: ReadonlyMap<Digest, CopyResult>,
  types: readonly string[],
  cannotModify: string | undefined,
): Promise<CopyResult> {
  const edited = editedList(list, updates);
  const failures: string[] = [];
  let lastError: unknown;
  for (const type of types) {
    const candidate = type === edited.mediaType ? edited : convertManifest(edited, type as ManifestMediaType).manifest;
    // the original bytes (and digest) are kept whenever the content is the same
    const bytes = candidate === list || candidate.digest === list.digest ? list.bytes : candidate.bytes;
    if (bytes !== list.bytes && cannotModify !== undefined) {
      throw new ImageError('ERR_MANIFEST_CONVERSION', `the list would have to change, but ${cannotModify}`);
    }
    try {
      await ctx.destination.putManifest(
        { bytes, mediaType: candidate.mediaType },
        ctx.signal === undefined ? {} : { signal: ctx.signal },
      );
      const digest = bytes === list.bytes ? list.digest : candidate.digest;
      ctx.emit({ type: 'manifest', digest });
      return { manifest: bytes, mediaType: candidate.mediaType, digest };
    } catch (error) {
      if (!isImageError(error, 'ERR_MANIFEST_TYPE_REJECTED')) throw error;
      failures.push(`${type} (${error.message})`);
      lastError = error;
    }
  }
  throw new ImageError(
    'ERR_MANIFEST_TYPE_REJECTED',
    `writing the list failed for every type tried: ${failures.join(', ')}`,
    {
      cause: lastError,
    },
  );
}

// the list with each copied instance's new digest, size and media type; the list itself when none changed
function editedList(list: ManifestList, updates: ReadonlyMap<Digest, CopyResult>): ManifestList {
  const changed = list.manifests.some((e) => {
    const u = updates.get(e.digest);
    return (
      u !== undefined && (u.digest !== e.digest || u.manifest.byteLength !== e.size || u.mediaType !== e.mediaType)
    );
  });
  if (!changed) return list;
  const root = JSON.parse(new TextDecoder().decode(list.bytes)) as { manifests: Record<string, unknown>[] };
  const manifests = root.manifests.map((raw, i) => {
    const entry = list.manifests[i];
    const u = entry === undefined ? undefined : updates.get(entry.digest);
    return u === undefined ? raw : { ...raw, mediaType: u.mediaType, digest: u.digest, size: u.manifest.byteLength };
  });
  const parsed = parseManifest(new TextEncoder().encode(JSON.stringify({ ...root, manifests })), list.mediaType);
  if (!isListMediaType(parsed.mediaType)) throw new ImageError('ERR_INVALID_MANIFEST', 'the edited list is not a list');
  return parsed as ManifestList;
}
