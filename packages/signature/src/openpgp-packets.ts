import { Buffer } from 'node:buffer';
import { inflateRawSync, inflateSync } from 'node:zlib';

/** One OpenPGP packet (RFC 4880 §4): its tag and body. */
export interface Packet {
  readonly tag: number;
  readonly body: Buffer;
}

/** One signature subpacket (RFC 4880 §5.2.3.1). */
export interface Subpacket {
  readonly type: number;
  readonly critical: boolean;
  readonly data: Buffer;
}

/** Packet tags this module's callers use. */
export const TAG = {
  signature: 2,
  onePassSignature: 4,
  publicKey: 6,
  compressedData: 8,
  literalData: 11,
  userId: 13,
  publicSubkey: 14,
  userAttribute: 17,
} as const;

// partial body lengths are allowed only for these (RFC 4880 §4.2.2.4)
const STREAMABLE = new Set<number>([TAG.compressedData, TAG.literalData, 9, 18]);

/**
 * Splits `bytes` into packets, in old and new header formats (with partial and indeterminate lengths where
 * RFC 4880 allows them). Returns undefined for anything malformed: the caller then leaves the bytes to a full
 * OpenPGP implementation.
 */
export function readPackets(bytes: Buffer): Packet[] | undefined {
  const packets: Packet[] = [];
  let at = 0;
  while (at < bytes.byteLength) {
    const head = bytes[at++] as number;
    if ((head & 0x80) === 0) return undefined;
    if ((head & 0x40) === 0) {
      // old format: tag in bits 5–2, length type in bits 1–0
      const tag = (head >> 2) & 0x0f;
      const lengthType = head & 3;
      if (lengthType === 3) {
        if (!STREAMABLE.has(tag)) return undefined;
        packets.push({ tag, body: bytes.subarray(at) });
        return packets;
      }
      const width = 1 << lengthType;
      if (at + width > bytes.byteLength) return undefined;
      const length = bytes.readUIntBE(at, width);
      at += width;
      if (at + length > bytes.byteLength) return undefined;
      packets.push({ tag, body: bytes.subarray(at, at + length) });
      at += length;
      continue;
    }
    const tag = head & 0x3f;
    const parts: Buffer[] = [];
    for (;;) {
      const first = bytes[at++];
      if (first === undefined) return undefined;
      let length: number;
      let partial = false;
      if (first < 192) length = first;
      else if (first < 224) {
        const second = bytes[at++];
        if (second === undefined) return undefined;
        length = ((first - 192) << 8) + second + 192;
      } else if (first < 255) {
        if (!STREAMABLE.has(tag)) return undefined;
        length = 1 << (first & 0x1f);
        partial = true;
      } else {
        if (at + 4 > bytes.byteLength) return undefined;
        length = bytes.readUInt32BE(at);
        at += 4;
      }
      if (at + length > bytes.byteLength) return undefined;
      parts.push(bytes.subarray(at, at + length));
      at += length;
      if (!partial) break;
    }
    packets.push({ tag, body: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts) });
  }
  return packets;
}

/**
 * The packets inside a Compressed Data packet (uncompressed, ZIP or ZLIB), at most `limit` bytes once
 * inflated; undefined for another algorithm, corrupt data or too much of it.
 */
export function readCompressed(body: Buffer, limit: number): Packet[] | undefined {
  const algorithm = body[0];
  const data = body.subarray(1);
  try {
    if (algorithm === 0) return data.byteLength <= limit ? readPackets(data) : undefined;
    if (algorithm === 1) return readPackets(inflateRawSync(data, { maxOutputLength: limit }));
    if (algorithm === 2) return readPackets(inflateSync(data, { maxOutputLength: limit }));
  } catch {
    return undefined;
  }
  return undefined;
}

/** Splits a subpacket area; undefined when malformed. */
export function readSubpackets(area: Buffer): Subpacket[] | undefined {
  const out: Subpacket[] = [];
  let at = 0;
  while (at < area.byteLength) {
    const first = area[at++] as number;
    let length: number;
    if (first < 192) length = first;
    else if (first < 255) {
      const second = area[at++];
      if (second === undefined) return undefined;
      length = ((first - 192) << 8) + second + 192;
    } else {
      if (at + 4 > area.byteLength) return undefined;
      length = area.readUInt32BE(at);
      at += 4;
    }
    if (length < 1 || at + length > area.byteLength) return undefined;
    const type = area[at] as number;
    out.push({ type: type & 0x7f, critical: (type & 0x80) !== 0, data: area.subarray(at + 1, at + length) });
    at += length;
  }
  return out;
}

/** Reads a multiprecision integer at `at`: its bytes (without leading zero bytes) and where it ends. */
export function readMpi(body: Buffer, at: number): { readonly value: Buffer; readonly end: number } | undefined {
  if (at + 2 > body.byteLength) return undefined;
  const bits = body.readUInt16BE(at);
  const end = at + 2 + Math.ceil(bits / 8);
  if (end > body.byteLength) return undefined;
  return { value: body.subarray(at + 2, end), end };
}

/**
 * The binary content of an ASCII-armored block (RFC 4880 §6.2) of the given kind (`PUBLIC KEY BLOCK`), or the
 * input itself when it is not armored; undefined when the armor is malformed or its CRC-24 does not match.
 */
export function dearmor(bytes: Uint8Array, kind: string): Buffer | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = text.subarray(0, 64).toString('latin1').trimStart();
  if (!start.startsWith('-----BEGIN PGP')) return text;
  const lines = text.toString('latin1').split(/\r?\n/);
  // one block only: several (or another kind) are left to the full implementation
  if (lines.filter((line) => line.trim().startsWith('-----BEGIN PGP')).length !== 1) return undefined;
  const begin = lines.findIndex((line) => line.trim() === `-----BEGIN PGP ${kind}-----`);
  const end = lines.findIndex((line) => line.trim() === `-----END PGP ${kind}-----`);
  if (begin < 0 || end <= begin) return undefined;
  const rest = lines.slice(begin + 1, end);
  const blank = rest.findIndex((line) => line.trim() === '');
  if (blank < 0) return undefined;
  const body = rest.slice(blank + 1).map((line) => line.trim());
  const checksum = body.at(-1)?.startsWith('=') === true ? body.pop()?.slice(1) : undefined;
  const joined = body.join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(joined)) return undefined;
  const data = Buffer.from(joined, 'base64');
  if (checksum !== undefined) {
    const sum = Buffer.from(checksum, 'base64');
    if (sum.byteLength !== 3 || sum.readUIntBE(0, 3) !== crc24(data)) return undefined;
  }
  return data;
}

function crc24(data: Buffer): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}
