import { readLimited } from '@ferry/blob';
import type { CallOptions } from '@ferry/types';

/** A response body, as undici gives it. */
export interface ResponseBody extends AsyncIterable<Uint8Array> {
  dump?(options?: { limit?: number }): Promise<void>;
}

/** Reads a small body (an error document, a token, a tag list) as text, failing above `limit` bytes. */
export async function readBodyText(body: ResponseBody, limit: number, options: CallOptions = {}): Promise<string> {
  const bytes = await readLimited(body, limit, { ...options, what: 'registry response' });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * Discards a body the caller does not need, so the connection can be reused: small bodies are read to the
 * end, a big one closes its connection instead. Never throws.
 */
export async function discardBody(body: ResponseBody): Promise<void> {
  try {
    if (body.dump !== undefined) await body.dump({ limit: 256 * 1024 });
    else for await (const _ of body) break;
  } catch {
    // the connection is gone anyway
  }
}
