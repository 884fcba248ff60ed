import type { CallOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { nextLink } from './link-header.ts';
import { header, type RegistryClient } from './registry-client.ts';
import type { RegistryErrorKind } from './registry-error.ts';

const PAGE_LIMIT = 8 * 1024 * 1024;
// a registry that keeps sending `next` links is cut off here rather than followed for ever
const MAX_PAGES = 10_000;

/** What {@link readPagedList} fetches. */
export interface PagedListRequest extends CallOptions {
  readonly path: string;
  readonly scopes: readonly string[];
  /** The JSON array field holding the items: `tags` or `repositories`. */
  readonly field: string;
  readonly what: string;
  readonly kind: RegistryErrorKind;
}

/** Reads every page of a list (`/tags/list`, `/_catalog`), following `Link: <…>; rel="next"`. */
export async function readPagedList(client: RegistryClient, req: PagedListRequest): Promise<string[]> {
  const items: string[] = [];
  let url: URL | undefined = client.url(req.path);
  const seen = new Set<string>();
  for (let page = 0; url !== undefined; page++) {
    if (page >= MAX_PAGES || seen.has(url.href)) {
      throw new ImageError('ERR_IO', `${req.what}: the registry's pagination does not end`);
    }
    seen.add(url.href);
    const { response, bytes } = await client.fetchSmall(
      {
        method: 'GET',
        path: url,
        scopes: req.scopes,
        what: req.what,
        kind: req.kind,
        ...(req.signal === undefined ? {} : { signal: req.signal }),
      },
      PAGE_LIMIT,
    );
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    items.push(...pageItems(text, req.field, req.what));
    url = nextLink(header(response.headers, 'link'), response.url);
  }
  return items;
}

function pageItems(text: string, field: string, what: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ImageError('ERR_IO', `${what}: the registry sent malformed JSON`, { cause });
  }
  if (typeof json !== 'object' || json === null) throw new ImageError('ERR_IO', `${what}: the registry sent no object`);
  const list = (json as Record<string, unknown>)[field];
  // distribution sends `"tags": null` for a repository without tags
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) {
    throw new ImageError('ERR_IO', `${what}: "${field}" is not a list of strings`);
  }
  return list;
}
