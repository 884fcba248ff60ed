import { ImageError } from '@ferry/types';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Parses the records of a pax extended header (`"%d %s=%s\n"`, the length counting the whole record).
 *
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` when a record is malformed.
 */
export function parsePaxRecords(data: Uint8Array, where: string): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    // trailing NUL padding is tolerated, as GNU tar and Go do
    if (data[at] === 0) break;
    const space = data.indexOf(0x20, at);
    const lengthText = space < 0 ? '' : decoder.decode(data.subarray(at, space));
    const length = /^[0-9]{1,9}$/.test(lengthText) ? Number(lengthText) : 0;
    const end = at + length;
    if (length <= space - at + 1 || end > data.length || data[end - 1] !== 0x0a) {
      throw new ImageError('ERR_INVALID_IMAGE', `malformed pax record at byte ${at} of the pax header at ${where}`);
    }
    const record = decoder.decode(data.subarray(space + 1, end - 1));
    const equals = record.indexOf('=');
    if (equals <= 0) {
      throw new ImageError('ERR_INVALID_IMAGE', `malformed pax record at byte ${at} of the pax header at ${where}`);
    }
    records.set(record.slice(0, equals), record.slice(equals + 1));
    at = end;
  }
  return records;
}

/** Encodes pax records, each as `"<length> <key>=<value>\n"`. */
export function encodePaxRecords(records: ReadonlyMap<string, string>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [key, value] of records) {
    const body = encoder.encode(` ${key}=${value}\n`);
    // the length counts its own digits, which may carry over to one more digit
    let length = body.length + String(body.length).length;
    if (String(length).length !== String(body.length).length) length = body.length + String(length).length;
    parts.push(encoder.encode(String(length)), body);
  }
  const out = new Uint8Array(parts.reduce((total, p) => total + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads a non-negative integer pax value (`size`); `undefined` when absent. */
export function paxInteger(records: ReadonlyMap<string, string>, key: string, where: string): number | undefined {
  const value = records.get(key);
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,16}$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER) {
    throw new ImageError('ERR_INVALID_IMAGE', `invalid pax ${key} ${JSON.stringify(value)} at ${where}`);
  }
  return Number(value);
}

/** Reads a pax time (`mtime`, decimal seconds with an optional fraction), truncated to whole seconds. */
export function paxSeconds(records: ReadonlyMap<string, string>, key: string): number | undefined {
  const value = records.get(key);
  if (value === undefined || !/^-?[0-9]+(\.[0-9]*)?$/.test(value)) return undefined;
  return Math.trunc(Number(value));
}
