import { MANIFEST_LIMIT } from '@ferry/blob';
import {
  type Descriptor,
  type ListEntry,
  type Manifest,
  manifestDigest,
  OCI_INDEX_MEDIA_TYPE,
  parseManifest,
  parseOciIndex,
} from '@ferry/manifest';
import type { CallOptions, Digest, SystemOptions, TypedManifestBlob } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { fetchManifest, pullScope, storeManifest } from './manifest-requests.ts';
import { header, type RegistryClient, signalOf } from './registry-client.ts';
import type { RepositoryName } from './registry-lists.ts';
import { openRegistryClient } from './registry-session.ts';

/** Options of {@link listReferrers}. */
export interface ListReferrersOptions extends SystemOptions {
  /** Only referrers of this artifact type. @default every type */
  readonly artifactType?: string;
}

/**
 * The manifests that name `subject` as their subject (signatures, SBOMs, attestations): the OCI referrers
 * API (`GET /v2/NAME/referrers/DIGEST`), or, on a registry without it, the tag-schema fallback (an index
 * tagged `sha256-HEX`). Filtered by artifact type when asked, by the client when the server did not.
 * @example
 * ```ts
 * const sboms = await listReferrers({ domain: '127.0.0.1:5000', path: 'app' }, digest, {
 *   artifactType: 'application/spdx+json',
 *   registry: { tlsVerify: false },
 * });
 * ```
 */
export async function listReferrers(
  repository: RepositoryName,
  subject: Digest,
  options: ListReferrersOptions = {},
): Promise<ListEntry[]> {
  await using client = await openRegistryClient(
    repository.domain,
    repository.path,
    options.registry,
    signalOf(options),
  );
  return await fetchReferrers(client, repository.path, subject, options.artifactType, signalOf(options));
}

/** {@link listReferrers} on an open client. */
export async function fetchReferrers(
  client: RegistryClient,
  repo: string,
  subject: Digest,
  artifactType: string | undefined,
  options: CallOptions = {},
): Promise<ListEntry[]> {
  const query = artifactType === undefined ? '' : `?${new URLSearchParams({ artifactType }).toString()}`;
  const { response, bytes } = await client.fetchSmall(
    {
      method: 'GET',
      path: `/v2/${repo}/referrers/${subject}${query}`,
      scopes: [pullScope(repo)],
      headers: { accept: OCI_INDEX_MEDIA_TYPE },
      what: `referrers of ${subject} in ${client.host}/${repo}`,
      kind: 'manifest',
      // a registry without the API answers 404 (and some 400 or 405): the tag schema takes over
      accept: [400, 404, 405],
      ...signalOf(options),
    },
    MANIFEST_LIMIT,
  );
  let entries: readonly ListEntry[];
  if (response.status === 200) {
    entries = parseOciIndex(bytes).manifests;
    if (header(response.headers, 'oci-filters-applied')?.split(',').includes('artifactType')) return [...entries];
  } else {
    entries = (await fallbackIndex(client, repo, subject, options))?.manifests ?? [];
  }
  return entries.filter((e) => artifactType === undefined || e.artifactType === artifactType);
}

/** The tag of the referrers fallback index of a subject: `sha256-HEX`. */
export function referrersTag(subject: Digest): string {
  return subject.replace(':', '-');
}

async function fallbackIndex(
  client: RegistryClient,
  repo: string,
  subject: Digest,
  options: CallOptions,
): Promise<{ manifests: readonly ListEntry[]; annotations?: Readonly<Record<string, string>> } | undefined> {
  try {
    const fetched = await fetchManifest(client, repo, referrersTag(subject), options);
    return parseOciIndex(fetched.bytes);
  } catch (error) {
    if (isImageError(error, 'ERR_MANIFEST_UNKNOWN')) return undefined;
    throw error;
  }
}

/**
 * After a manifest with a `subject` was put: a registry that processed the subject says so with
 * `OCI-Subject`; for one that did not, the manifest is added to the subject's fallback index (the tag
 * schema), as the distribution spec asks of clients. Concurrent writers of one subject's index may lose
 * each other's entries; the spec accepts that.
 */
export async function updateReferrersFallback(
  client: RegistryClient,
  repo: string,
  manifest: TypedManifestBlob,
  subjectHeader: string | undefined,
  options: CallOptions = {},
): Promise<void> {
  const parsed = subjectOf(manifest);
  if (parsed === undefined || subjectHeader !== undefined) return;
  const { subject, artifactType, annotations } = parsed;
  const digest = manifestDigest(manifest.bytes);
  const current = await fallbackIndex(client, repo, subject.digest, options);
  const entries = [...(current?.manifests ?? [])];
  if (entries.some((e) => e.digest === digest)) return;
  entries.push({
    mediaType: manifest.mediaType,
    digest,
    size: manifest.bytes.byteLength,
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(annotations === undefined ? {} : { annotations }),
  });
  const index = new TextEncoder().encode(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: entries }),
  );
  await storeManifest(
    client,
    repo,
    referrersTag(subject.digest),
    { bytes: index, mediaType: OCI_INDEX_MEDIA_TYPE },
    options,
  );
}

interface SubjectFacts {
  readonly subject: Descriptor;
  readonly artifactType: string | undefined;
  readonly annotations: Readonly<Record<string, string>> | undefined;
}

function subjectOf(manifest: TypedManifestBlob): SubjectFacts | undefined {
  let parsed: Manifest;
  try {
    parsed = parseManifest(manifest.bytes, manifest.mediaType);
  } catch {
    return undefined;
  }
  if (parsed.kind !== 'oci-manifest' && parsed.kind !== 'oci-index') return undefined;
  if (parsed.subject === undefined) return undefined;
  const artifactType = parsed.artifactType ?? (parsed.kind === 'oci-manifest' ? parsed.config.mediaType : undefined);
  return { subject: parsed.subject, artifactType, annotations: parsed.annotations };
}
