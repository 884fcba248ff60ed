import { createDigester } from '@ferry/blob';
import type { ByteStream, CallOptions, Digest, PutBlobInfo, StoredBlob } from '@ferry/types';
import { ImageError, isImageError, isTransientError } from '@ferry/types';
import { statBlob } from './blob-download.ts';
import { pushScope } from './manifest-requests.ts';
import { discardBody } from './read-body.ts';
import { header, type RegistryClient, type RegistryResponse, signalOf } from './registry-client.ts';
import { isRegistryError } from './registry-error.ts';
import { retryDelay, sleep } from './retry-policy.ts';
import { UploadFeeder } from './upload-feeder.ts';

/** Options of {@link uploadBlob}. */
export interface UploadOptions extends CallOptions {
  /**
   * Bytes kept of what was last sent, so a cut request can go on from where the server says it stopped.
   * This is all an upload holds in memory (plus the piece in flight).
   * @default 512 KiB
   */
  readonly resumeWindow?: number;
  /**
   * Bytes per `PATCH` when the blob's size is known (each with `Content-Range`); an unknown size goes in
   * one streamed `PATCH`.
   * @default 64 MiB
   */
  readonly patchSize?: number;
}

// a blob that ends within this many bytes goes in one PUT
const SMALL_BLOB = 256 * 1024;
const DEFAULT_WINDOW = 512 * 1024;
const DEFAULT_PATCH = 64 * 1024 * 1024;
const CANCEL_TIMEOUT_MS = 2000;

/**
 * Uploads a blob: `POST` to open an upload; a small blob then goes in one `PUT ?digest=`; a larger one is
 * streamed in `PATCH`es (with `Content-Range` when its size is known), then closed with `PUT ?digest=`.
 * Nothing is buffered but a window of the last bytes sent: after a dropped connection or a 5xx, the
 * upload goes on from the offset the server reports, when the window still holds it; otherwise the error
 * is transient and the caller sends the blob again. The digest is computed while streaming when it is not
 * given; when it is, the registry checks it as the upload closes. On any failure the upload is cancelled
 * and nothing is committed.
 * @throws {@link ImageError} `ERR_DIGEST_MISMATCH`, `ERR_SIZE_MISMATCH`, auth and I/O codes.
 */
export async function uploadBlob(
  client: RegistryClient,
  repo: string,
  stream: ByteStream,
  info: PutBlobInfo,
  options: UploadOptions = {},
): Promise<StoredBlob> {
  const digester = info.digest === undefined ? createDigester() : undefined;
  const feeder = new UploadFeeder(stream, digester, options.resumeWindow ?? DEFAULT_WINDOW);
  const what = `blob upload to ${client.host}/${repo}`;
  const expectedSize = info.size !== undefined && info.size >= 0 ? info.size : undefined;
  // the upload's latest URL (each answer names the next): what a failure cancels
  const session: UploadSession = { location: undefined };
  try {
    const filling = feeder.fill(SMALL_BLOB + 1, options);
    filling.catch(() => undefined);
    session.location = await startUpload(client, repo, what, options);
    await filling;
    const sent = feeder.done ? 0 : await sendPatches(client, repo, session, feeder, expectedSize, what, options);
    // the stream must end where it was said to
    await feeder.fill(sent + 1, options);
    const stored: StoredBlob =
      digester === undefined ? { digest: info.digest as Digest, size: feeder.size } : digester.finish();
    checkExpected(stored, info);
    await finishUpload(client, repo, session.location, feeder, sent, stored.digest, what, options);
    session.location = undefined;
    return stored;
  } finally {
    await feeder.close();
    if (session.location !== undefined) await cancelUpload(client, repo, session.location);
  }
}

/** An upload in progress: its current URL, or `undefined` once it is closed (or before it is opened). */
interface UploadSession {
  location: URL | undefined;
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

// Streams the blob in PATCHes from offset 0; after a failure, asks the server how far it got and goes on
// from there when the feeder still holds those bytes. Keeps `session.location` current; returns the bytes sent.
async function sendPatches(
  client: RegistryClient,
  repo: string,
  session: { location: URL | undefined },
  feeder: UploadFeeder,
  size: number | undefined,
  what: string,
  options: UploadOptions,
): Promise<number> {
  const patchSize = options.patchSize ?? DEFAULT_PATCH;
  let current = session.location as URL;
  let sent = 0;
  for (let failures = 0; size === undefined ? !feeder.done || sent < feeder.size : sent < size; ) {
    const end = size === undefined ? undefined : Math.min(sent + patchSize, size);
    const from = sent;
    try {
      const response = await client.send({
        method: 'PATCH',
        path: current,
        scopes: [pushScope(repo)],
        headers: {
          'content-type': 'application/octet-stream',
          ...(end === undefined ? {} : { 'content-range': `${from}-${end - 1}`, 'content-length': String(end - from) }),
        },
        // a stream: a refused request (429) is sent again only while the window holds its start
        body: () => feeder.bytesFrom(from, end, options),
        what,
        kind: 'upload',
        ...signalOf(options),
      });
      await discardBody(response.body);
      current = uploadLocation(response, what);
      session.location = current;
      sent = end ?? feeder.size;
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      // the source failed, not the registry: its error says what happened (and whether to try again)
      if (feeder.failure !== undefined) throw feeder.failure;
      if (feeder.done && end !== undefined && feeder.size < end) {
        throw new ImageError('ERR_SIZE_MISMATCH', `${what}: the blob ended after ${feeder.size} of ${size} bytes`, {
          cause: error,
        });
      }
      if (!resumable(error)) throw error;
      const delay = retryDelay(client.retry, failures++);
      if (delay === undefined) throw transient(error, what);
      await sleep(delay, options.signal);
      // distribution 2.8 cancels an upload whose state no longer matches what it stored (bytes of the cut
      // PATCH were kept): the whole blob must then be sent again, which only the caller can do
      const status = await uploadStatus(client, repo, current, what, options).catch((cause: unknown) => {
        throw new ImageError('ERR_IO', `${what}: the registry lost the upload after a failed PATCH`, {
          cause,
          transient: true,
        });
      });
      if (status.committed < feeder.oldestKept || status.committed > feeder.size) {
        throw new ImageError('ERR_IO', `${what}: the server kept ${status.committed} bytes, cannot resume`, {
          cause: error,
          transient: true,
        });
      }
      current = status.location;
      session.location = current;
      sent = status.committed;
    }
  }
  return sent;
}

// The closing PUT, carrying what was not sent yet (all of a small blob). If the answer is lost, a retry
// finds the upload gone: the blob being there then means the first PUT worked.
async function finishUpload(
  client: RegistryClient,
  repo: string,
  location: URL,
  feeder: UploadFeeder,
  sent: number,
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
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(feeder.size - sent) },
      body: () => feeder.bytesFrom(sent, feeder.size, options),
      idempotent: true,
      what,
      kind: 'upload',
      ...signalOf(options),
    });
    await discardBody(response.body);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    // a retried PUT whose first try went through finds the upload gone and the blob there
    const there = await statBlob(client, repo, digest, { ...signalOf(options), scope: pushScope(repo) }).catch(
      () => undefined,
    );
    if (there !== undefined) return;
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
  let url: URL;
  try {
    url = new URL(location, response.url);
  } catch (cause) {
    throw new ImageError('ERR_IO', `${what}: the registry sent a malformed upload Location`, { cause });
  }
  if (url.protocol !== 'https:' && (url.protocol !== 'http:' || response.url.protocol === 'https:')) {
    throw new ImageError('ERR_IO', `${what}: refusing an upload Location on ${url.protocol}//${url.host}`);
  }
  return url;
}

function resumable(error: unknown): boolean {
  if (isRegistryError(error)) return error.status >= 500 || error.status === 408 || error.status === 429;
  return isImageError(error, 'ERR_IO');
}

function transient(error: unknown, what: string): ImageError {
  if (isImageError(error) && error.transient) return error;
  return new ImageError('ERR_IO', `${what}: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
    transient: true,
  });
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
