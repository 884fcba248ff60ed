import { ImageError } from '@ferry/types';

/** The size of a tar block: headers are one block, member data is padded to whole blocks. */
export const BLOCK_SIZE = 512;

/** The header fields Ferry reads from one 512-byte tar block, before pax and GNU long names apply. */
export interface RawHeader {
  /** The `name` field, joined with `prefix` for POSIX ustar headers. */
  readonly name: string;
  readonly mode: number;
  readonly size: number;
  readonly mtime: number;
  /** The type flag as one character (`'0'`, `'\0'`, `'x'`, `'L'`, …). */
  readonly typeflag: string;
  readonly linkName: string;
}

/** The fields {@link encodeHeader} writes; the rest are fixed (uid/gid 0, empty uname/gname, ustar magic). */
export interface HeaderFields {
  readonly name: string;
  readonly prefix?: string;
  readonly mode: number;
  readonly size: number;
  readonly mtime: number;
  readonly typeflag: string;
  readonly linkName?: string;
}

const encoder = new TextEncoder();

/** Whether a block is all zeros (an end-of-archive marker). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK_SIZE; i++) if (block[i] !== 0) return false;
  return true;
}

/** Rounds a data size up to whole blocks. */
export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE;
}

/**
 * Parses one header block, verifying its checksum.
 *
 * @param where - describes the block's position for error messages, e.g. `"offset 1024 of x.tar"`.
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` on a bad checksum or an unreadable numeric field.
 */
export function parseHeader(block: Uint8Array, where: string): RawHeader {
  const bytes = Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  const stored = parseNumber(bytes, 148, 8, where, 'checksum');
  if (!checksumMatches(bytes, stored)) {
    throw new ImageError('ERR_INVALID_IMAGE', `bad tar header checksum at ${where}`);
  }
  let name = text(bytes, 0, 100);
  // the prefix field exists only in POSIX ustar headers ("ustar\0" "00"); GNU headers use those bytes otherwise
  if (bytes.readUInt32BE(257) === USTA && bytes.readUInt32BE(261) === R_NUL_00 && bytes[345] !== 0) {
    name = `${text(bytes, 345, 155)}/${name}`;
  }
  return {
    name,
    mode: parseNumber(bytes, 100, 8, where, 'mode'),
    size: parseNumber(bytes, 124, 12, where, 'size'),
    mtime: parseNumber(bytes, 136, 12, where, 'mtime'),
    typeflag: String.fromCharCode(bytes[156] ?? 0),
    linkName: bytes[157] === 0 ? '' : text(bytes, 157, 100),
  };
}

// "usta" and "r\0" "00" as big-endian words
const USTA = 0x75737461;
const R_NUL_00 = 0x72003030;

/** Encodes a ustar header block with a valid checksum. Fields MUST already fit (the caller adds pax records). */
export function encodeHeader(fields: HeaderFields): Uint8Array {
  const block = new Uint8Array(BLOCK_SIZE);
  putText(block, 0, 100, fields.name);
  putOctal(block, 100, 8, fields.mode);
  putOctal(block, 108, 8, 0);
  putOctal(block, 116, 8, 0);
  putOctal(block, 124, 12, fields.size);
  putOctal(block, 136, 12, fields.mtime);
  block.fill(0x20, 148, 156);
  block[156] = fields.typeflag.charCodeAt(0);
  putText(block, 157, 100, fields.linkName ?? '');
  putText(block, 257, 6, 'ustar');
  putText(block, 263, 2, '00');
  putOctal(block, 329, 8, 0);
  putOctal(block, 337, 8, 0);
  putText(block, 345, 155, fields.prefix ?? '');
  const sum = block.reduce((total, byte) => total + byte, 0);
  putText(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** The largest size or mtime a 12-byte octal field holds (8 GiB - 1). */
export const MAX_OCTAL_12 = 0o77777777777;

function checksumMatches(block: Uint8Array, stored: number): boolean {
  let unsigned = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) unsigned += block[i] as number;
  // the checksum field itself counts as eight spaces
  for (let i = 148; i < 156; i++) unsigned += 0x20 - (block[i] as number);
  if (stored === unsigned) return true;
  // some old tars summed signed chars; accept that too, as GNU tar and Go do
  let signed = unsigned;
  for (let i = 0; i < BLOCK_SIZE; i++) if ((i < 148 || i >= 156) && (block[i] as number) > 127) signed -= 256;
  return stored === signed;
}

function text(block: Buffer, offset: number, length: number): string {
  const nul = block.indexOf(0, offset);
  const end = nul < 0 || nul > offset + length ? offset + length : nul;
  return block.toString('utf8', offset, end);
}

function putText(block: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value);
  block.set(bytes.subarray(0, length), offset);
}

function putOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  putText(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

// Octal with optional spaces/NULs around it, or GNU base-256 when the first byte has its high bit set.
function parseNumber(block: Uint8Array, offset: number, length: number, where: string, field: string): number {
  const first = block[offset] ?? 0;
  if ((first & 0x80) !== 0) return parseBase256(block.subarray(offset, offset + length), where, field);
  let value = 0;
  let i = offset;
  const end = offset + length;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i] ?? 0;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) throw invalidField(where, field);
    value = value * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) if (block[i] !== 0 && block[i] !== 0x20) throw invalidField(where, field);
  return digits === 0 ? 0 : value;
}

function parseBase256(bytes: Uint8Array, where: string, field: string): number {
  const negative = ((bytes[0] ?? 0) & 0x40) !== 0;
  if (negative) throw invalidField(where, field);
  let value = (bytes[0] ?? 0) & 0x3f;
  for (let i = 1; i < bytes.length; i++) {
    value = value * 256 + (bytes[i] ?? 0);
    if (value > Number.MAX_SAFE_INTEGER) throw invalidField(where, field);
  }
  return value;
}

function invalidField(where: string, field: string): ImageError {
  return new ImageError('ERR_INVALID_IMAGE', `invalid ${field} field in the tar header at ${where}`);
}
