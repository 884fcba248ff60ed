import { MANIFEST_LIMIT } from '@ferry/blob';
import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  guessMediaType,
  isManifestMediaType,
  manifestDigest,
  matchesDigest,
  normalizeMediaType,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from '@ferry/manifest';
import type { CallOptions, Digest, ManifestBlob, TypedManifestBlob } from '@ferry/types';
import { ImageError, parseDigest } from '@ferry/types';
import { discardBody } from './read-body.ts';
import { header, type RegistryClient, signalOf } from './registry-client.ts';
import { isRegistryError } from './registry-error.ts';

/** Every manifest type Ferry reads, for the `Accept` header. */
export const MANIFEST_ACCEPT: string = [
  OCI_MANIFEST_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
].join(', ');

/** A manifest read from a registry, with its digest (computed, never taken from the server). */
export interface FetchedManifest extends ManifestBlob {
  readonly digest: Digest;
}

/** Scopes for reading a repository. */
export function pullScope(repo: string): string {
  return `repository:${repo}:pull`;
}

/** Scopes for writing a repository. */
export function pushScope(repo: string): string {
  return `repository:${repo}:pull,push`;
}

/**
 * Fetches a manifest by tag or digest, under the 4 MiB limit. By digest, the bytes must hash to it;
 * a `Docker-Content-Digest` header is never trusted.
 * @throws {@link ImageError} `ERR_MANIFEST_UNKNOWN`, `ERR_DIGEST_MISMATCH`, `ERR_TOO_LARGE`, auth and I/O codes.
 */
export async function fetchManifest(
  client: RegistryClient,
  repo: string,
  reference: string,
  options: CallOptions = {},
): Promise<FetchedManifest> {
  const what = `manifest ${reference} in ${client.host}/${repo}`;
  const { response, bytes } = await client.fetchSmall(
    {
      method: 'GET',
      path: `/v2/${repo}/manifests/${reference}`,
      scopes: [pullScope(repo)],
      headers: { accept: MANIFEST_ACCEPT },
      what,
      kind: 'manifest',
      ...signalOf(options),
    },
    MANIFEST_LIMIT,
  );
  const mediaType = responseMediaType(header(response.headers, 'content-type'), bytes);
  if (reference.includes(':')) {
    const expected = parseDigest(reference);
    if (!matchesDigest(bytes, expected)) {
      throw new ImageError('ERR_DIGEST_MISMATCH', `${what}: the registry sent bytes that do not match the digest`);
    }
    return { bytes, mediaType, digest: expected };
  }
  return { bytes, mediaType, digest: manifestDigest(bytes) };
}

/**
 * The digest a tag points at, from a `HEAD` (the registry's `Docker-Content-Digest`); `undefined` when the
 * registry does not say (the caller then fetches the manifest).
 */
export async function headManifest(
  client: RegistryClient,
  repo: string,
  reference: string,
  options: CallOptions = {},
): Promise<Digest | undefined> {
  const response = await client.send({
    method: 'HEAD',
    path: `/v2/${repo}/manifests/${reference}`,
    scopes: [pullScope(repo)],
    headers: { accept: MANIFEST_ACCEPT },
    what: `manifest ${reference} in ${client.host}/${repo}`,
    kind: 'manifest',
    ...signalOf(options),
  });
  await discardBody(response.body);
  const digest = header(response.headers, 'docker-content-digest');
  if (digest === undefined) return undefined;
  try {
    return parseDigest(digest);
  } catch {
    return undefined;
  }
}

/** What the registry said when it stored a manifest. */
export interface StoredManifest {
  /** `OCI-Subject`: set when the registry processed the manifest's subject (it has the referrers API). */
  readonly subjectHeader: string | undefined;
}

/**
 * Stores a manifest under a tag or its digest. A registry refusing the manifest's type (400
 * `MANIFEST_INVALID`, 415) gives `ERR_MANIFEST_TYPE_REJECTED`, so the copy can try another type.
 */
export async function storeManifest(
  client: RegistryClient,
  repo: string,
  reference: string,
  manifest: TypedManifestBlob,
  options: CallOptions = {},
): Promise<StoredManifest> {
  const what = `manifest ${reference} in ${client.host}/${repo}`;
  try {
    const response = await client.send({
      method: 'PUT',
      path: `/v2/${repo}/manifests/${reference}`,
      scopes: [pushScope(repo)],
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
      what,
      kind: 'manifest',
      ...signalOf(options),
    });
    await discardBody(response.body);
    return { subjectHeader: header(response.headers, 'oci-subject') };
  } catch (error) {
    if (isRegistryError(error) && rejectsType(error)) {
      throw new ImageError(
        'ERR_MANIFEST_TYPE_REJECTED',
        `${what}: the registry refused ${manifest.mediaType}: ${error.message}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

/** Deletes a manifest by digest (registries refuse deleting by tag). */
export async function deleteManifest(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  options: CallOptions = {},
): Promise<void> {
  const response = await client.send({
    method: 'DELETE',
    path: `/v2/${repo}/manifests/${digest}`,
    // containers/image asks for every action: distribution wants `delete` (or `*`) for this
    scopes: [`repository:${repo}:*`],
    what: `manifest ${digest} in ${client.host}/${repo}`,
    kind: 'manifest',
    ...signalOf(options),
  });
  await discardBody(response.body);
}

// The Content-Type when it names a manifest type; otherwise (`application/json`, none) what the bytes say,
// and failing that distribution's fallback (signed schema 1).
function responseMediaType(contentType: string | undefined, bytes: Uint8Array): string {
  const simple = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (isManifestMediaType(simple)) return simple;
  const guessed = guessMediaType(bytes);
  return guessed !== '' ? guessed : normalizeMediaType(simple);
}

function rejectsType(error: { status: number; errors: readonly { code: string }[] }): boolean {
  if (error.status === 415) return true;
  if (error.status !== 400) return false;
  const codes = error.errors.map((e) => e.code);
  return codes.length === 0 || codes.includes('MANIFEST_INVALID') || codes.includes('UNSUPPORTED');
}
