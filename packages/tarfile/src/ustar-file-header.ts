/** The size of a tar block, and of the room left before a staged blob's bytes for its header. */
export const TAR_BLOCK = 512;

/** The largest size a ustar header holds without a pax record (8 GiB - 1). */
export const MAX_USTAR_SIZE = 0o77777777777;

/**
 * A ustar header of a regular file with the same fields `@ferry/tar`'s writer gives one (mode 0444, uid/gid
 * 0, mtime 0, empty user and group names), for a layer whose bytes already sit after it in the file. The
 * name must be ASCII and at most 100 bytes. A size past {@link MAX_USTAR_SIZE} is written in GNU base-256,
 * which Go's archive/tar and GNU tar read (one header block, whatever the size).
 * @example
 * ```ts
 * await handle.write(ustarFileHeader(`${hex}.tar`, size), 0, TAR_BLOCK, 0);
 * ```
 */
export function ustarFileHeader(name: string, size: number): Uint8Array {
  const block = new Uint8Array(TAR_BLOCK);
  const put = (offset: number, text: string): void => block.set(new TextEncoder().encode(text), offset);
  const octal = (offset: number, length: number, value: number): void =>
    put(offset, `${value.toString(8).padStart(length - 1, '0')}\0`);
  put(0, name);
  octal(100, 8, 0o444);
  octal(108, 8, 0);
  octal(116, 8, 0);
  if (size <= MAX_USTAR_SIZE) octal(124, 12, size);
  else putBase256(block, 124, 12, size);
  octal(136, 12, 0);
  block.fill(0x20, 148, 156);
  put(156, '0');
  put(257, 'ustar');
  put(263, '00');
  octal(329, 8, 0);
  octal(337, 8, 0);
  const sum = block.reduce((total, byte) => total + byte, 0);
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

function putBase256(block: Uint8Array, offset: number, length: number, value: number): void {
  let rest = BigInt(value);
  for (let i = offset + length - 1; i > offset; i--) {
    block[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  block[offset] = 0x80;
}
