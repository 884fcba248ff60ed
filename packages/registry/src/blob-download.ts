import type { BlobStream, CallOptions, Digest } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import { pullScope } from './manifest-requests.ts';
import { discardBody } from './read-body.ts';
import { header, type RegistryClient, type RegistryResponse, signalOf } from './registry-client.ts';
import { isRetryableNetworkError, retryDelay, sleep } from './retry-policy.ts';

/** Options of {@link downloadBlob}. */
export interface DownloadOptions extends CallOptions {
  /** First byte to read (a range read). @default 0 */
  readonly offset?: number;
  /** Bytes to read from `offset`. @default to the end */
  readonly length?: number;
}

/**
 * Streams a blob. When the connection drops mid-body, the rest is asked for again with `Range` (up to the
 * client's retry count, with backoff) and the stream goes on where it stopped; the caller still verifies
 * the digest of the whole. A registry that ignores `Range` is read from the start and the known part
 * skipped.
 * @throws {@link ImageError} `ERR_BLOB_UNKNOWN`, auth and I/O codes; the stream throws `ERR_IO` when the
 * body cannot be completed.
 */
export async function downloadBlob(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  options: DownloadOptions = {},
): Promise<BlobStream> {
  const start = options.offset ?? 0;
  const end = options.length === undefined ? undefined : start + options.length;
  const first = await requestFrom(client, repo, digest, start, end, options);
  const total = totalSize(first, start, end);
  return {
    stream: releasingUnread(resumingBody(client, repo, digest, first, start, end, total, options), first),
    size: total === undefined ? undefined : total - start,
  };
}

// An async generator closed before its first read never runs its `finally`: the first response's body
// would hold its connection (and block the agent's close) for ever. This closes it in that case.
function releasingUnread(body: AsyncGenerator<Uint8Array>, first: RegistryResponse): AsyncIterable<Uint8Array> {
  let started = false;
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        started = true;
        return body.next();
      },
      return: async () => {
        if (!started) await discardBody(first.body);
        return body.return(undefined);
      },
    }),
  };
}

/** Options of {@link statBlob}. */
export interface StatBlobOptions extends CallOptions {
  /**
   * The scope to ask with: a destination asks with the push scope it holds a token for already.
   * @default pull
   */
  readonly scope?: string;
}

/** Whether the registry has the blob (`HEAD`); its size when it has (-1 when it does not say). */
export async function statBlob(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  options: StatBlobOptions = {},
): Promise<number | undefined> {
  const response = await client.send({
    method: 'HEAD',
    path: `/v2/${repo}/blobs/${digest}`,
    scopes: [options.scope ?? pullScope(repo)],
    what: `blob ${digest} in ${client.host}/${repo}`,
    kind: 'blob',
    accept: [404],
    ...signalOf(options),
  });
  await discardBody(response.body);
  if (response.status === 404) return undefined;
  const length = Number(header(response.headers, 'content-length'));
  return Number.isSafeInteger(length) && length >= 0 ? length : -1;
}

async function requestFrom(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  from: number,
  end: number | undefined,
  options: CallOptions,
  resuming = false,
): Promise<RegistryResponse> {
  const ranged = from > 0 || end !== undefined;
  return client.send({
    // resuming past the real end (a server that announced too long a body) is answered 416
    ...(resuming ? { accept: [416] } : {}),
    method: 'GET',
    path: `/v2/${repo}/blobs/${digest}`,
    scopes: [pullScope(repo)],
    headers: ranged ? { range: `bytes=${from}-${end === undefined ? '' : end - 1}` } : {},
    what: `blob ${digest} in ${client.host}/${repo}`,
    kind: 'blob',
    ...signalOf(options),
  });
}

// the size of the whole blob (or of the range's end) when the response says it
function totalSize(response: RegistryResponse, start: number, end: number | undefined): number | undefined {
  if (end !== undefined) return end;
  const length = Number(header(response.headers, 'content-length'));
  if (!Number.isSafeInteger(length) || length < 0) return undefined;
  return response.status === 206 ? start + length : length;
}

async function* resumingBody(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  first: RegistryResponse,
  start: number,
  end: number | undefined,
  total: number | undefined,
  options: CallOptions,
): AsyncGenerator<Uint8Array> {
  let response = first;
  // where the bytes of the current response start: a 200 answer to a ranged request starts at 0
  let at = first.status === 206 ? start : 0;
  let next = start;
  let failures = 0;
  try {
    for (;;) {
      try {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          const chunkStart = at;
          at += chunk.byteLength;
          if (at <= next) continue;
          const piece = chunkStart < next ? chunk.subarray(next - chunkStart) : chunk;
          const room = end === undefined ? piece.byteLength : Math.min(piece.byteLength, end - next);
          next += room;
          yield room === piece.byteLength ? piece : piece.subarray(0, room);
          if (end !== undefined && next >= end) return;
        }
        if (total === undefined || next >= total) return;
        throw new ImageError(
          'ERR_IO',
          `blob ${digest} from ${client.host}/${repo} ended after ${next} of ${total} bytes`,
        );
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        const retryable = isRetryableNetworkError(error) || isImageError(error, 'ERR_IO');
        const delay = retryable ? retryDelay(client.retry, failures++) : undefined;
        if (delay === undefined) {
          if (isImageError(error) && (!retryable || error.transient)) throw error;
          // out of retries for a cut connection: reading the whole blob again later may still work
          throw new ImageError('ERR_IO', `reading blob ${digest} from ${client.host}/${repo}`, {
            cause: error,
            transient: retryable,
          });
        }
        await discardBody(response.body);
        await sleep(delay, options.signal);
        response = await requestFrom(client, repo, digest, next, end, options, true);
        if (response.status === 416) {
          // a range read must be whole; a whole blob ends here and its digest check tells if it is complete
          if (end !== undefined && next < end) {
            throw new ImageError('ERR_IO', `blob ${digest}: the registry cannot serve bytes ${next}-${end - 1}`, {
              transient: true,
            });
          }
          return;
        }
        at = response.status === 206 ? (rangeStart(response) ?? next) : 0;
        if (at > next) throw new ImageError('ERR_IO', `blob ${digest}: the registry resumed at ${at}, not ${next}`);
      }
    }
  } finally {
    await discardBody(response.body);
  }
}

function rangeStart(response: RegistryResponse): number | undefined {
  const match = /^bytes (\d+)-/.exec(header(response.headers, 'content-range') ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
