import { encodePaxRecords } from './pax.ts';
import { BLOCK_SIZE, encodeHeader, MAX_OCTAL_12, paddedSize } from './tar-header.ts';

/** What {@link memberHeader} describes. */
export interface MemberHeaderFields {
  /** A normalized member name (no trailing slash; directories get one added). */
  readonly name: string;
  readonly typeflag: '0' | '2' | '5';
  readonly size: number;
  readonly mode: number;
  readonly mtime: number;
  readonly linkName?: string;
}

const encoder = new TextEncoder();

/**
 * The header blocks of one member: a ustar header, preceded by a pax `x` header when the name (after trying
 * the ustar prefix split), the link target or the size does not fit ustar, or a name is not ASCII.
 */
export function memberHeader(fields: MemberHeaderFields): Uint8Array {
  const fullName = fields.typeflag === '5' ? `${fields.name}/` : fields.name;
  const pax = new Map<string, string>();
  let name = fullName;
  let prefix = '';
  if (!isAscii(fullName)) pax.set('path', fullName);
  else if (fullName.length > 100) {
    const split = splitUstarName(fullName);
    if (split === undefined) pax.set('path', fullName);
    else [prefix, name] = split;
  }
  let linkName = fields.linkName ?? '';
  if (!isAscii(linkName) || encoder.encode(linkName).length > 100) {
    pax.set('linkpath', linkName);
    linkName = '';
  }
  let size = fields.size;
  if (size > MAX_OCTAL_12) {
    pax.set('size', String(size));
    size = 0;
  }
  // with a pax path the ustar name is only a hint for old readers; keep its tail, which names the file
  if (pax.has('path')) name = tail(fullName, 100);
  const header = encodeHeader({
    name,
    prefix,
    mode: fields.mode,
    size,
    mtime: fields.mtime,
    typeflag: fields.typeflag,
    linkName,
  });
  if (pax.size === 0) return header;
  const records = encodePaxRecords(pax);
  const paxHeader = encodeHeader({
    name: tail(`PaxHeaders/${fullName.replace(/\/$/, '').split('/').pop() ?? ''}`, 100),
    mode: 0o644,
    size: records.length,
    mtime: fields.mtime,
    typeflag: 'x',
  });
  const out = new Uint8Array(BLOCK_SIZE + paddedSize(records.length) + BLOCK_SIZE);
  out.set(paxHeader, 0);
  out.set(records, BLOCK_SIZE);
  out.set(header, out.length - BLOCK_SIZE);
  return out;
}

/** Splits an ASCII name into a ustar prefix (≤ 155 bytes) and name (≤ 100 bytes) at a slash, if possible. */
export function splitUstarName(name: string): [string, string] | undefined {
  if (name.length > 256) return undefined;
  // the longest prefix that fits leaves the shortest name
  let slash = name.lastIndexOf('/', 155);
  while (slash > 0) {
    const rest = name.slice(slash + 1);
    if (rest.length > 100) return undefined;
    if (rest.length > 0 && rest !== '/') return [name.slice(0, slash), rest];
    slash = name.lastIndexOf('/', slash - 1);
  }
  return undefined;
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

// the last bytes of an ASCII-or-not name that fit `limit` bytes
function tail(text: string, limit: number): string {
  let out = text;
  while (encoder.encode(out).length > limit) out = out.slice(1);
  return out;
}
