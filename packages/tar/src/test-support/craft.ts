import { writeFile } from 'node:fs/promises';
import { encodePaxRecords } from '../pax.ts';
import { BLOCK_SIZE, encodeHeader, paddedSize } from '../tar-header.ts';

/** One hand-made member: a header with optional data (padded), or a pax header with records. */
export interface CraftMember {
  readonly name: string;
  readonly typeflag?: string;
  readonly data?: Uint8Array;
  readonly size?: number;
  readonly linkName?: string;
  readonly pax?: Record<string, string>;
}

/** Builds a tar from hand-made headers, ending with two zero blocks. */
export function craftTar(members: readonly CraftMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    if (m.pax !== undefined) {
      const records = encodePaxRecords(new Map(Object.entries(m.pax)));
      parts.push(encodeHeader({ name: 'PaxHeaders/x', mode: 0o644, size: records.length, mtime: 0, typeflag: 'x' }));
      parts.push(padded(records));
    }
    const data = m.data ?? new Uint8Array();
    parts.push(
      encodeHeader({
        name: m.name,
        mode: 0o644,
        size: m.size ?? data.length,
        mtime: 0,
        typeflag: m.typeflag ?? '0',
        ...(m.linkName === undefined ? {} : { linkName: m.linkName }),
      }),
    );
    if (data.length > 0) parts.push(padded(data));
  }
  parts.push(new Uint8Array(2 * BLOCK_SIZE));
  return Buffer.concat(parts);
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(paddedSize(data.length));
  out.set(data);
  return out;
}

export async function writeTar(path: string, members: readonly CraftMember[]): Promise<string> {
  await writeFile(path, craftTar(members));
  return path;
}
