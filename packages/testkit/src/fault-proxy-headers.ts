// Headers as Node's flat raw lists ([name, value, name, value, …]), so names keep their case, duplicates
// stay separate and order is preserved, as a faithful proxy must.

/** A flat list of header names and values, as `IncomingMessage.rawHeaders`. */
export type RawHeaders = string[];

// hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, never the exchange
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/**
 * Copies `raw` without hop-by-hop headers (and those the `Connection` header names). `Content-Length` and
 * `Transfer-Encoding` stay: Node re-frames the body according to them.
 */
export function endToEndHeaders(raw: readonly string[]): RawHeaders {
  const dropped = new Set(HOP_BY_HOP);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() !== 'connection') continue;
    for (const token of (raw[i + 1] ?? '').split(',')) dropped.add(token.trim().toLowerCase());
  }
  const out: RawHeaders = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (!dropped.has(name.toLowerCase())) out.push(name, raw[i + 1] ?? '');
  }
  return out;
}

/** The first value of header `name` (any case), if present. */
export function headerValue(raw: readonly string[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === lower) return raw[i + 1];
  }
  return undefined;
}

/** Copies `raw` with every `name` header removed and, unless `value` is `null`, one `name: value` added. */
export function withHeader(raw: readonly string[], name: string, value: string | null): RawHeaders {
  const lower = name.toLowerCase();
  const out: RawHeaders = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i] ?? '';
    if (key.toLowerCase() !== lower) out.push(key, raw[i + 1] ?? '');
  }
  if (value !== null) out.push(name, value);
  return out;
}

/** Converts a header record to a raw list. */
export function rawFromRecord(record: Readonly<Record<string, string>>): RawHeaders {
  return Object.entries(record).flat();
}
