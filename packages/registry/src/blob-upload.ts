import { createDigester } from '@ferry/blob';
import type { ByteStream, CallOptions, Digest, PutBlobInfo, StoredBlob } from '@ferry/types';
import { ImageError, isImageError, isTransientError } from '@ferry/types';
import { pushScope, signalOf } from './manifest-requests.ts';
import { discardBody } from './read-body.ts';
import { header, type RegistryClient, type RegistryResponse } from './registry-client.ts';
import { isRegistryError } from './registry-error.ts';
import { retryDelay, sleep } from './retry-policy.ts';
import { ChunkReader, chunkBody, type UploadChunk } from './upload-chunks.ts';

/** Options of {@link uploadBlob}. */
export interface UploadOptions extends CallOptions {
  /**
   * Bytes per `PATCH`; a blob no larger goes in one `PUT`. Two chunks per upload are held in memory
   * (one being sent, the next being read).
   * @default 4 MiB
   */
  readonly chunkSize?: number;
}

const DEFAULT_CHUNK = 4 * 1024 * 1024;
const CANCEL_TIMEOUT_MS = 2000;

/**
 * Uploads a blob: `POST` to open an upload, then either one `PUT ?digest=` carrying the whole blob (small
 * blobs) or `PATCH`es with `Content-Range`, each resumed from the server's `Range` after a dropped
 * connection or a 5xx, and a closing `PUT ?digest=`. The digest is computed while streaming and checked
 * against `info` before the blob is committed; on any failure the upload is cancelled and nothing is
 * committed.
 * @throws {@link ImageError} `ERR_DIGEST_MISMATCH`, `ERR_SIZE_MISMATCH`, auth and I/O codes.
 */
export async function uploadBlob(
  client: RegistryClient,
  repo: string,
  stream: ByteStream,
  info: PutBlobInfo,
  options: UploadOptions = {},
): Promise<StoredBlob> {
  // With the digest known, the registry checks it when the upload is closed (and refuses a mismatch, which
  // commits nothing), so the bytes are not hashed a second time here; without it, they are hashed on the way.
  const digester = info.digest === undefined ? createDigester() : undefined;
  const reader = new ChunkReader(stream, digester, options.chunkSize ?? DEFAULT_CHUNK);
  const what = `blob upload to ${client.host}/${repo}`;
  let location: URL | undefined;
  try {
    const firstChunk = reader.next(options);
    firstChunk.catch(() => undefined);
    location = await startUpload(client, repo, what, options);
    // one chunk at a time: memory per upload stays at one chunk (six parallel uploads, 24 MiB)
    let chunk = await firstChunk;
    while (!chunk.last) {
      location = await sendChunk(client, repo, location, chunk, what, options);
      chunk = await reader.next(options);
    }
    const stored: StoredBlob =
      digester === undefined ? { digest: info.digest as Digest, size: reader.size } : digester.finish();
    checkExpected(stored, info);
    await finishUpload(client, repo, location, chunk, stored.digest, what, options);
    location = undefined;
    return stored;
  } finally {
    await reader.close();
    if (location !== undefined) await cancelUpload(client, repo, location);
  }
}

async function startUpload(client: RegistryClient, repo: string, what: string, options: CallOptions): Promise<URL> {
  const response = await client.send({
    method: 'POST',
    path: `/v2/${repo}/blobs/uploads/`,
    scopes: [pushScope(repo)],
    // an upload session the server opened but we never heard of is harmless; sending again is safe
    idempotent: true,
    what,
    kind: 'upload',
    ...signalOf(options),
  });
  await discardBody(response.body);
  return uploadLocation(response, what);
}

// Sends one chunk with PATCH; on a dropped connection or a 5xx, asks the server how far it got and sends
// the rest of the chunk again.
async function sendChunk(
  client: RegistryClient,
  repo: string,
  location: URL,
  chunk: UploadChunk,
  what: string,
  options: CallOptions,
): Promise<URL> {
  let from = chunk.start;
  let current = location;
  for (let failures = 0; ; ) {
    try {
      const end = chunk.start + chunk.length;
      const response = await client.send({
        method: 'PATCH',
        path: current,
        scopes: [pushScope(repo)],
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${from}-${end - 1}`,
          'content-length': String(end - from),
        },
        // a factory: a 429 (refused before any byte was taken) is sent again by the client
        body: () => chunkBody(chunk, from),
        what,
        kind: 'upload',
        ...signalOf(options),
      });
      await discardBody(response.body);
      return uploadLocation(response, what);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!resumable(error)) throw error;
      const delay = retryDelay(client.retry, failures++);
      if (delay === undefined) throw error;
      await sleep(delay, options.signal);
      // distribution 2.8 cancels an upload whose state no longer matches what it stored (bytes of the cut
      // PATCH were kept): the whole blob must then be sent again, which only the caller can do
      const status = await uploadStatus(client, repo, current, what, options).catch((cause: unknown) => {
        throw new ImageError('ERR_IO', `${what}: the registry lost the upload after a failed PATCH`, {
          cause,
          transient: true,
        });
      });
      current = status.location;
      if (status.committed < chunk.start || status.committed > chunk.start + chunk.length) {
        throw new ImageError('ERR_IO', `${what}: the server kept ${status.committed} bytes, cannot resume`, {
          cause: error,
          transient: true,
        });
      }
      from = status.committed;
      if (from === chunk.start + chunk.length) return current;
    }
  }
}

// The closing PUT, carrying the last chunk. If the answer is lost, a retry finds the upload gone: the
// blob being there then means the first PUT worked.
async function finishUpload(
  client: RegistryClient,
  repo: string,
  location: URL,
  chunk: UploadChunk,
  digest: Digest,
  what: string,
  options: CallOptions,
): Promise<void> {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  try {
    const response = await client.send({
      method: 'PUT',
      path: url,
      scopes: [pushScope(repo)],
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(chunk.length) },
      body: () => chunkBody(chunk, chunk.start),
      idempotent: true,
      what,
      kind: 'upload',
      ...signalOf(options),
    });
    await discardBody(response.body);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    // a retried PUT whose first try went through finds the upload gone and the blob there
    if (await blobExists(client, repo, digest, options).catch(() => false)) return;
    if (!isImageError(error)) throw error;
    // an upload the registry lost (a cut PUT leaves it inconsistent) is worth sending again from the start
    const lost = (isRegistryError(error) && error.status === 404) || isTransientError(error);
    throw new ImageError(error.code, error.message, { cause: error, transient: lost });
  }
}

async function uploadStatus(
  client: RegistryClient,
  repo: string,
  location: URL,
  what: string,
  options: CallOptions,
): Promise<{ committed: number; location: URL }> {
  const response = await client.send({
    method: 'GET',
    path: location,
    scopes: [pushScope(repo)],
    what,
    kind: 'upload',
    ...signalOf(options),
  });
  await discardBody(response.body);
  const range = /^(?:bytes=)?0-(\d+)$/.exec(header(response.headers, 'range') ?? '');
  // distribution answers "0-0" for an empty upload as well as for one byte; an empty one is far likelier
  const committed = range?.[1] === undefined || range[1] === '0' ? 0 : Number(range[1]) + 1;
  return { committed, location: uploadLocation(response, what, location) };
}

async function blobExists(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  options: CallOptions,
): Promise<boolean> {
  const response = await client.send({
    method: 'HEAD',
    path: `/v2/${repo}/blobs/${digest}`,
    scopes: [pushScope(repo)],
    what: `blob ${digest} in ${client.host}/${repo}`,
    kind: 'blob',
    accept: [404],
    ...signalOf(options),
  });
  await discardBody(response.body);
  return response.status === 200;
}

/** Cancels an upload session; never throws. */
export async function cancelUpload(client: RegistryClient, repo: string, location: URL): Promise<void> {
  try {
    const response = await client.send({
      method: 'DELETE',
      path: location,
      scopes: [pushScope(repo)],
      what: `cancelling a blob upload to ${client.host}/${repo}`,
      kind: 'upload',
      idempotent: false,
      accept: [404],
      // a courtesy: the registry collects abandoned uploads itself, so a failed copy does not wait long
      signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS),
    });
    await discardBody(response.body);
  } catch {
    // an abandoned upload session is garbage-collected by the registry
  }
}

/** The upload URL a response names in `Location` (relative to the request URL). */
export function uploadLocation(response: RegistryResponse, what: string, fallback?: URL): URL {
  const location = header(response.headers, 'location');
  if (location === undefined) {
    if (fallback !== undefined) return fallback;
    throw new ImageError('ERR_IO', `${what}: the registry sent no upload Location`);
  }
  try {
    return new URL(location, response.url);
  } catch (cause) {
    throw new ImageError('ERR_IO', `${what}: the registry sent a malformed upload Location`, { cause });
  }
}

function resumable(error: unknown): boolean {
  if (isRegistryError(error)) return error.status >= 500 || error.status === 408;
  return isImageError(error, 'ERR_IO');
}

function checkExpected(stored: StoredBlob, info: PutBlobInfo): void {
  if (info.size !== undefined && info.size >= 0 && stored.size !== info.size) {
    throw new ImageError(
      'ERR_SIZE_MISMATCH',
      `blob ${info.digest ?? ''} has ${stored.size} bytes, expected ${info.size}`,
    );
  }
  if (info.digest !== undefined && stored.digest !== info.digest) {
    throw new ImageError('ERR_DIGEST_MISMATCH', `blob expected as ${info.digest} hashes to ${stored.digest}`);
  }
}
