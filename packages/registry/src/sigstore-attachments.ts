import { digestBytes, readLimited } from '@ferry/blob';
import { OCI_CONFIG_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE, parseOciManifest } from '@ferry/manifest';
import type { CallOptions, Digest, SigstoreSignature } from '@ferry/types';
import { digestAlgorithm, ImageError, isImageError } from '@ferry/types';
import { downloadBlob } from './blob-download.ts';
import { uploadBlob } from './blob-upload.ts';
import { SIGNATURE_LIMIT } from './lookaside.ts';
import { fetchManifest, storeManifest } from './manifest-requests.ts';
import type { RegistryClient } from './registry-client.ts';
import { goJsonText } from './signature-json.ts';

/**
 * The tag that holds the sigstore attachments of a manifest: `sha256-HEX.sig` for `sha256:HEX`, as
 * cosign and containers/image name it.
 * @example
 * ```ts
 * sigstoreAttachmentTag(digest); // 'sha256-3f…9a.sig'
 * ```
 */
export function sigstoreAttachmentTag(digest: Digest): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** A descriptor as stored in the attachment manifest (kept as JSON, so unknown fields survive an edit). */
type JsonObject = Record<string, unknown>;

/** The attachment manifest of a digest, if there is one. */
interface Attachments {
  readonly root: JsonObject;
  readonly layers: readonly { mediaType: string; digest: Digest; size: number; annotations: Record<string, string> }[];
  readonly config: { readonly digest: Digest };
}

/**
 * Reads the sigstore signatures attached to a manifest: the layers of the OCI manifest tagged
 * `sha256-HEX.sig`, each payload fetched, bounded to 4 MiB and checked against its digest. Every layer is
 * returned (attestations too); consumers choose by media type. No attachment manifest means none.
 * @throws {@link ImageError} `ERR_INVALID_MANIFEST` when the tag holds something else, `ERR_DIGEST_MISMATCH`,
 * `ERR_TOO_LARGE`, auth and I/O codes.
 */
export async function readSigstoreAttachments(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  options: CallOptions = {},
): Promise<SigstoreSignature[]> {
  const found = await fetchAttachments(client, repo, digest, options);
  if (found === undefined) return [];
  const signatures: SigstoreSignature[] = [];
  for (const layer of found.layers) {
    const payload = await fetchSmallBlob(client, repo, layer.digest, SIGNATURE_LIMIT, options);
    signatures.push({ kind: 'sigstore', mediaType: layer.mediaType, payload, annotations: layer.annotations });
  }
  return signatures;
}

/**
 * Adds sigstore signatures to the attachment manifest of a manifest, as containers/image does: the
 * existing manifest and config are read (when any), each signature not already there (same media type,
 * payload digest and size, and annotations) gets its payload uploaded as a layer (annotations on the layer)
 * and its digest appended to the config's `rootfs.diff_ids`; then the config and the manifest are stored
 * under `sha256-HEX.sig`. Signatures are only ever added, never removed.
 * @throws {@link ImageError} as {@link readSigstoreAttachments}, and upload codes.
 */
export async function writeSigstoreAttachments(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  signatures: readonly SigstoreSignature[],
  options: CallOptions = {},
): Promise<void> {
  const found = await fetchAttachments(client, repo, digest, options);
  const root: JsonObject = found?.root ?? { schemaVersion: 2, mediaType: OCI_MANIFEST_MEDIA_TYPE };
  const layers: JsonObject[] = found === undefined ? [] : [...(root.layers as JsonObject[])];
  const config: JsonObject =
    found === undefined
      ? // what Go's json.Marshal makes of an empty image-spec Image with rootfs.type "layers"
        { architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [] } }
      : await fetchConfig(client, repo, found.config.digest, options);
  const rootfs = objectField(config, 'rootfs');
  const diffIds = Array.isArray(rootfs.diff_ids) ? [...(rootfs.diff_ids as unknown[])] : [];
  for (const signature of signatures) {
    if (layers.some((layer) => matches(layer, signature))) continue;
    const stored = await putBytes(client, repo, signature.payload, options);
    layers.push({
      mediaType: signature.mediaType,
      digest: stored.digest,
      size: stored.size,
      ...(Object.keys(signature.annotations).length === 0 ? {} : { annotations: sortedRecord(signature.annotations) }),
    });
    diffIds.push(stored.digest);
  }
  rootfs.diff_ids = diffIds;
  config.rootfs = rootfs;
  const configBytes = new TextEncoder().encode(goJsonText(config));
  const configStored = await putBytes(client, repo, configBytes, options);
  root.config = { mediaType: OCI_CONFIG_MEDIA_TYPE, digest: configStored.digest, size: configStored.size };
  root.layers = layers;
  const bytes = new TextEncoder().encode(goJsonText(root));
  await storeManifest(
    client,
    repo,
    sigstoreAttachmentTag(digest),
    { bytes, mediaType: OCI_MANIFEST_MEDIA_TYPE },
    options,
  );
}

async function fetchAttachments(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  options: CallOptions,
): Promise<Attachments | undefined> {
  const tag = sigstoreAttachmentTag(digest);
  let fetched: Awaited<ReturnType<typeof fetchManifest>>;
  try {
    fetched = await fetchManifest(client, repo, tag, options);
  } catch (error) {
    if (isImageError(error, 'ERR_MANIFEST_UNKNOWN')) return undefined;
    throw error;
  }
  if (fetched.mediaType !== OCI_MANIFEST_MEDIA_TYPE) {
    throw new ImageError(
      'ERR_INVALID_MANIFEST',
      `unexpected media type ${JSON.stringify(fetched.mediaType)} for the sigstore attachment manifest ${client.host}/${repo}:${tag}`,
    );
  }
  const parsed = parseOciManifest(fetched.bytes);
  const root = JSON.parse(new TextDecoder().decode(fetched.bytes)) as JsonObject;
  const layers = parsed.layers.map((layer) => ({
    mediaType: layer.mediaType,
    digest: layer.digest,
    size: layer.size,
    annotations: { ...layer.annotations },
  }));
  return { root, layers, config: { digest: parsed.config.digest } };
}

async function fetchConfig(client: RegistryClient, repo: string, digest: Digest, options: CallOptions) {
  const bytes = await fetchSmallBlob(client, repo, digest, SIGNATURE_LIMIT, options);
  let config: unknown;
  try {
    config = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new ImageError('ERR_INVALID_MANIFEST', `parsing sigstore attachment config ${digest} in ${repo}`, { cause });
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ImageError('ERR_INVALID_MANIFEST', `sigstore attachment config ${digest} in ${repo} is not an object`);
  }
  return config as JsonObject;
}

// a small blob, read whole under `limit` and checked against its digest
async function fetchSmallBlob(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  limit: number,
  options: CallOptions,
): Promise<Uint8Array> {
  const what = `blob ${digest} in ${client.host}/${repo}`;
  const { stream } = await downloadBlob(client, repo, digest, options);
  const bytes = await readLimited(stream, limit, { ...options, what });
  if (digestBytes(bytes, digestAlgorithm(digest)) !== digest) {
    throw new ImageError('ERR_DIGEST_MISMATCH', `${what}: the registry sent bytes that do not match the digest`);
  }
  return bytes;
}

async function putBytes(client: RegistryClient, repo: string, bytes: Uint8Array, options: CallOptions) {
  return uploadBlob(client, repo, once(bytes), { digest: digestBytes(bytes), size: bytes.byteLength }, options);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array, void, undefined> {
  yield bytes;
}

// containers/image compares with the payload's sha256 whatever the layer's algorithm
function matches(layer: JsonObject, signature: SigstoreSignature): boolean {
  if (layer.mediaType !== signature.mediaType || layer.size !== signature.payload.byteLength) return false;
  if (layer.digest !== digestBytes(signature.payload)) return false;
  const have = (typeof layer.annotations === 'object' && layer.annotations !== null ? layer.annotations : {}) as Record<
    string,
    unknown
  >;
  const want = signature.annotations;
  const keys = Object.keys(have);
  return keys.length === Object.keys(want).length && keys.every((k) => Object.hasOwn(want, k) && want[k] === have[k]);
}

function objectField(object: JsonObject, key: string): JsonObject {
  const value = object[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as JsonObject) } : {};
}

// Go's json.Marshal writes map keys sorted
function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
