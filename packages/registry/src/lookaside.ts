import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readLimited, writeBytesAtomic } from '@ferry/blob';
import type { CallOptions, Digest, Signature, SimpleSigningSignature } from '@ferry/types';
import { decodeSignature, digestAlgorithm, digestHex, encodeSignature, ImageError, isImageError } from '@ferry/types';
import type { Dispatcher } from 'undici';
import { discardBody } from './read-body.ts';
import { redactedUrl } from './signature-storage.ts';

/** The most bytes one signature may have (containers/image's `MaxSignatureBodySize`). */
export const SIGNATURE_LIMIT: number = 4 * 1024 * 1024;

/** Options of {@link readLookasideSignatures}. */
export interface ReadLookasideOptions extends CallOptions {
  /**
   * The undici dispatcher for `http(s)://` lookasides (e.g. one with the registry's TLS settings).
   * @default undici's global dispatcher
   */
  readonly dispatcher?: Dispatcher;
}

/**
 * The URL of signature `index` (from 0) of a manifest in a lookaside: `BASE/REPO@ALGO=HEX/signature-N`
 * with N = index + 1, as containers/image lays it out. `base` already ends with `/REPO`.
 * @example
 * ```ts
 * lookasideSignatureUrl(new URL('file:///sigs/library/busybox'), digest, 0).href;
 * // 'file:///sigs/library/busybox@sha256=…/signature-1'
 * ```
 */
export function lookasideSignatureUrl(base: URL, digest: Digest, index: number): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname}@${digestAlgorithm(digest)}=${digestHex(digest)}/signature-${index + 1}`;
  return url;
}

/**
 * Reads the signatures of a manifest from a lookaside (`file://` or `http(s)://`): signature-1,
 * signature-2, … until the first one that is missing (no file, or HTTP 404). Each is bounded to 4 MiB and
 * decoded from containers/image's storage format.
 * @throws {@link ImageError} `ERR_IO` for a read failure or another HTTP status, `ERR_TOO_LARGE`,
 * `ERR_SIGNATURE_INVALID` for a malformed signature, `ERR_INVALID_POLICY` for an unsupported URL scheme.
 * @example
 * ```ts
 * const signatures = await readLookasideSignatures(storage.lookasideRead, digest, { signal });
 * ```
 */
export async function readLookasideSignatures(
  base: URL,
  digest: Digest,
  options: ReadLookasideOptions = {},
): Promise<Signature[]> {
  const signatures: Signature[] = [];
  for (let index = 0; ; index++) {
    const url = lookasideSignatureUrl(base, digest, index);
    const bytes = await readOne(url, options);
    if (bytes === undefined) return signatures;
    try {
      signatures.push(decodeSignature(bytes));
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new ImageError('ERR_SIGNATURE_INVALID', `parsing signature ${redactedUrl(url)}: ${why}`, { cause });
    }
  }
}

/**
 * Stores simple-signing signatures of a manifest in a `file://` lookaside, replacing those there: each
 * `signature-N` is written atomically (temp file and rename), then higher-numbered leftovers are removed up
 * to the first missing one (enough, since readers stop there), as containers/image does.
 * @throws {@link ImageError} `ERR_NOT_IMPLEMENTED` for an `http(s)://` lookaside (configure
 * `lookaside-staging`), `ERR_INVALID_POLICY` for another scheme, `ERR_IO`.
 * @example
 * ```ts
 * await writeLookasideSignatures(storage.lookasideWrite, digest, [{ kind: 'simple-signing', bytes }]);
 * ```
 */
export async function writeLookasideSignatures(
  base: URL,
  digest: Digest,
  signatures: readonly SimpleSigningSignature[],
  options: CallOptions = {},
): Promise<void> {
  if (signatures.length === 0) return;
  writablePath(base);
  for (const [index, signature] of signatures.entries()) {
    const path = writablePath(lookasideSignatureUrl(base, digest, index));
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    } catch (cause) {
      throw new ImageError('ERR_IO', `creating the signature directory ${dirname(path)}`, { cause });
    }
    await writeBytesAtomic(path, encodeSignature(signature), { ...options, what: `signature ${path}` });
  }
  for (let index = signatures.length; ; index++) {
    options.signal?.throwIfAborted();
    const path = writablePath(lookasideSignatureUrl(base, digest, index));
    try {
      await rm(path);
    } catch (cause) {
      if ((cause as { code?: unknown }).code === 'ENOENT') return;
      throw new ImageError('ERR_IO', `removing the stale signature ${path}`, { cause });
    }
  }
}

/** Whether signatures can be written to this lookaside (a `file://` one). */
export function isWritableLookaside(base: URL): boolean {
  return base.protocol === 'file:';
}

function writablePath(url: URL): string {
  if (url.protocol === 'file:') return decodeURIComponent(url.pathname);
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    throw new ImageError(
      'ERR_NOT_IMPLEMENTED',
      `writing directly to a ${url.protocol.slice(0, -1)} lookaside ${redactedUrl(url)} is not supported; configure a lookaside-staging: location`,
    );
  }
  throw new ImageError('ERR_INVALID_POLICY', `unsupported scheme writing a signature to ${redactedUrl(url)}`);
}

// the bytes at `url`, or undefined when it does not exist
async function readOne(url: URL, options: ReadLookasideOptions): Promise<Uint8Array | undefined> {
  if (url.protocol === 'file:') return readFileSignature(decodeURIComponent(url.pathname), options);
  if (url.protocol === 'http:' || url.protocol === 'https:') return readHttpSignature(url, options);
  throw new ImageError('ERR_INVALID_POLICY', `unsupported scheme reading a signature from ${redactedUrl(url)}`);
}

async function readFileSignature(path: string, options: CallOptions): Promise<Uint8Array | undefined> {
  options.signal?.throwIfAborted();
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new ImageError('ERR_IO', `reading signature ${path}`, { cause });
  }
  try {
    return await readLimited(handle.createReadStream({ autoClose: false }), SIGNATURE_LIMIT, {
      ...options,
      what: `signature ${path}`,
    });
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (isImageError(cause)) throw cause;
    throw new ImageError('ERR_IO', `reading signature ${path}`, { cause });
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function readHttpSignature(url: URL, options: ReadLookasideOptions): Promise<Uint8Array | undefined> {
  const where = redactedUrl(url);
  // undici is loaded on first use; redirects are followed, as Go's HTTP client does
  const { getGlobalDispatcher, interceptors } = await import('undici');
  const dispatcher = (options.dispatcher ?? getGlobalDispatcher()).compose(
    interceptors.redirect({ maxRedirections: 10 }),
  );
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: basicAuthorization(url),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new ImageError('ERR_IO', `reading signature from ${where}: ${(cause as Error).message}`, { cause });
  }
  if (response.statusCode === 404) {
    await discardBody(response.body);
    return undefined;
  }
  if (response.statusCode !== 200) {
    await discardBody(response.body);
    throw new ImageError('ERR_IO', `reading signature from ${where}: status ${response.statusCode}`);
  }
  try {
    return await readLimited(response.body, SIGNATURE_LIMIT, { ...options, what: `signature ${where}` });
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (isImageError(cause)) throw cause;
    throw new ImageError('ERR_IO', `reading signature from ${where}: ${(cause as Error).message}`, { cause });
  }
}

// Go's HTTP client sends the URL's user information as basic authentication
function basicAuthorization(url: URL): Record<string, string> {
  if (url.username === '' && url.password === '') return {};
  const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { authorization: `Basic ${Buffer.from(user).toString('base64')}` };
}
