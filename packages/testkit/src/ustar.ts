/** One regular file or directory of a tar built by {@link makeTar}. */
export interface TarEntry {
  /** Path inside the archive, at most 100 bytes; a directory's ends with `/`. */
  readonly name: string;
  /** File content; absent for a directory. */
  readonly content?: Uint8Array;
  /** Permission bits. @default 0o644 for files, 0o755 for directories */
  readonly mode?: number;
}

const BLOCK = 512;

/**
 * Builds a POSIX ustar archive in memory, deterministically (owner 0, mtime 0), followed by the two zero
 * blocks that end an archive. Enough for test layers; not a general tar writer.
 * @example
 * ```ts
 * const tar = makeTar([{ name: 'etc/', }, { name: 'etc/hostname', content: new TextEncoder().encode('ferry\n') }]);
 * ```
 */
export function makeTar(entries: readonly TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const content = entry.content ?? new Uint8Array();
    parts.push(header(entry, content.byteLength));
    if (content.byteLength > 0) {
      const padded = new Uint8Array(Math.ceil(content.byteLength / BLOCK) * BLOCK);
      padded.set(content);
      parts.push(padded);
    }
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function header(entry: TarEntry, size: number): Uint8Array {
  const isDirectory = entry.name.endsWith('/');
  const block = new Uint8Array(BLOCK);
  const put = (offset: number, length: number, text: string): void => {
    const bytes = new TextEncoder().encode(text);
    if (bytes.byteLength > length) throw new RangeError(`tar field too long: ${JSON.stringify(text)}`);
    block.set(bytes, offset);
  };
  const octal = (offset: number, length: number, value: number): void =>
    put(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  put(0, 100, entry.name);
  octal(100, 8, entry.mode ?? (isDirectory ? 0o755 : 0o644));
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, isDirectory ? 0 : size);
  octal(136, 12, 0);
  put(148, 8, ' '.repeat(8));
  put(156, 1, isDirectory ? '5' : '0');
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  put(265, 32, 'root');
  put(297, 32, 'root');
  let sum = 0;
  for (const byte of block) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}
