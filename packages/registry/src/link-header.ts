import { ImageError } from '@ferry/types';

/** One link-value of a `Link` header (RFC 8288 section 3): the target as written and its params. */
interface LinkValue {
  readonly target: string;
  readonly rel: readonly string[];
}

/** Splits a `Link` header into link-values, honouring `<…>` and quoted strings, which may hold commas. */
function parseLinks(header: string): LinkValue[] {
  const links: LinkValue[] = [];
  let i = 0;
  const fail = (what: string): ImageError =>
    new ImageError('ERR_INVALID_ARGUMENT', `malformed Link header from the registry: ${what} at offset ${i}`);
  const skipSpace = (): void => {
    while (header[i] === ' ' || header[i] === '\t') i++;
  };
  while (i < header.length) {
    skipSpace();
    if (header[i] === ',') {
      i++;
      continue;
    }
    if (i >= header.length) break;
    if (header[i] !== '<') throw fail('expected "<"');
    const close = header.indexOf('>', i);
    if (close < 0) throw fail('unterminated "<"');
    const target = header.slice(i + 1, close).trim();
    i = close + 1;
    const rel: string[] = [];
    let relSeen = false;
    for (skipSpace(); header[i] === ';'; skipSpace()) {
      i++;
      skipSpace();
      const name = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/.exec(header.slice(i))?.[0];
      if (name === undefined) throw fail('expected a parameter name');
      i += name.length;
      skipSpace();
      let value = '';
      if (header[i] === '=') {
        i++;
        skipSpace();
        if (header[i] === '"') value = readQuoted();
        else {
          value = /^[^\s;,]*/.exec(header.slice(i))?.[0] ?? '';
          i += value.length;
        }
      }
      // RFC 8288 3.3: only the first rel parameter counts; relation types compare case-insensitively
      if (name.toLowerCase() === 'rel' && !relSeen) {
        relSeen = true;
        rel.push(
          ...value
            .toLowerCase()
            .split(/[ \t]+/)
            .filter(Boolean),
        );
      }
    }
    if (i < header.length && header[i] !== ',') throw fail('expected "," or ";"');
    links.push({ target, rel });
  }
  return links;

  function readQuoted(): string {
    let out = '';
    for (i++; i < header.length; i++) {
      const c = header[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') i++;
      out += header[i] ?? '';
    }
    throw fail('unterminated quoted string');
  }
}

/**
 * Finds the `rel="next"` link of a paginated response (tags list, catalog) and resolves it against the
 * request URL. The target may be relative (`</v2/_catalog?last=b&n=2>`) or absolute, the header may hold
 * several links, and `rel` may list several relation types.
 *
 * A next link to another origin (scheme, host or port) is refused with an error, not ignored: following it
 * would send the registry's credentials elsewhere, and returning `undefined` would silently truncate the
 * listing. A malformed header is likewise an error rather than the end of the list.
 *
 * @param header - The `Link` header value, or `undefined` when the response had none.
 * @param base - The URL of the request that returned the header.
 * @returns The next page's URL, or `undefined` on the last page.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for a malformed header or a cross-origin next link.
 *
 * @example
 * ```ts
 * nextLink('</v2/_catalog?last=b&n=2>; rel="next"', new URL('https://r.example/v2/_catalog?n=2'))?.href;
 * // 'https://r.example/v2/_catalog?last=b&n=2'
 * ```
 */
export function nextLink(header: string | undefined, base: URL): URL | undefined {
  if (header === undefined) return undefined;
  const link = parseLinks(header).find((l) => l.rel.includes('next'));
  if (link === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(link.target, base);
  } catch (cause) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `invalid next link in the Link header from ${base.host}`, { cause });
  }
  if (url.origin !== base.origin) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `registry ${base.host} sent a next link to another origin (${url.origin}); refusing to follow it`,
    );
  }
  // userinfo in a link is never ours to send
  url.username = '';
  url.password = '';
  return url;
}
