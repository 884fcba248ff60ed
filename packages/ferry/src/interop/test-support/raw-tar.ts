/** One member of a hand-made tar: a regular file (or a directory when `data` is absent and the name ends in `/`). */
export interface RawTarMember {
  /** The member name, written verbatim (no sanitizing: `../x` stays `../x`). At most 100 bytes. */
  readonly name: string;
  readonly data?: Uint8Array;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar member name too long for ustar: ${name}`);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(type === '5' ? 0o755 : 0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(size, 12), 124, 'latin1');
  h.write(octal(0, 12), 136, 'latin1');
  h.write(' '.repeat(8), 148, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/**
 * Writes a ustar archive of `members` exactly as given, which GNU tar will not do for names such as `../x`
 * (it strips them): the way to craft archives that try to escape their target.
 */
export function rawTar(members: readonly RawTarMember[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const data = m.data ?? new Uint8Array();
    const isDir = m.data === undefined && m.name.endsWith('/');
    parts.push(header(m.name, data.length, isDir ? '5' : '0'), Buffer.from(data));
    const pad = (512 - (data.length % 512)) % 512;
    parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
