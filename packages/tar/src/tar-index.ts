import type { FileHandle } from 'node:fs/promises';
import type { CallOptions } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import { BlockReader } from './block-reader.ts';
import { safeMemberPath } from './member-path.ts';
import { parsePaxRecords, paxInteger, paxSeconds } from './pax.ts';
import type { TarEntry, TarEntryType } from './tar-entry.ts';
import { BLOCK_SIZE, isZeroBlock, paddedSize, parseHeader, type RawHeader } from './tar-header.ts';

// pax and GNU long-name data are read into memory; real ones are a few hundred bytes
const EXTENDED_HEADER_LIMIT = 1024 * 1024;

// header-only types carry no data whatever their size field says (as in GNU tar and Go)
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

/** Extended-header state that applies to the next real member. */
interface Pending {
  headerOffset?: number;
  pax?: Map<string, string>;
  longName?: string;
  longLink?: string;
}

/**
 * Reads every header of a tar file in one pass, seeking past member data, and returns the members in
 * archive order. Ends at the first zero block.
 *
 * @param label - names the archive in error messages.
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` for a bad checksum, an archive cut short, a size running past
 * the end, an unsafe member name; `ERR_IO` for a read error; an abort throws `signal.reason`.
 */
export async function scanTar(
  handle: FileHandle,
  fileSize: number,
  label: string,
  options: CallOptions = {},
): Promise<TarEntry[]> {
  const reader = new BlockReader(handle, fileSize, label);
  const entries: TarEntry[] = [];
  let pending: Pending = {};
  let offset = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const where = `offset ${offset} of ${label}`;
    if (offset + BLOCK_SIZE > fileSize) {
      const what = offset === fileSize ? 'ends without an end-of-archive marker' : 'is cut short in a header';
      throw new ImageError('ERR_INVALID_IMAGE', `${label} ${what} at offset ${offset}`);
    }
    const block = reader.cached(offset, BLOCK_SIZE) ?? (await reader.read(offset, BLOCK_SIZE));
    if (isZeroBlock(block)) {
      if (pending.headerOffset !== undefined) {
        throw new ImageError(
          'ERR_INVALID_IMAGE',
          `extended header at offset ${pending.headerOffset} of ${label} has no member`,
        );
      }
      return entries;
    }
    const header = parseHeader(block, where);
    const dataOffset = offset + BLOCK_SIZE;
    pending.headerOffset ??= offset;
    const extended = await readExtended(reader, header, dataOffset, fileSize, pending, where);
    if (extended !== undefined) {
      pending = extended;
      offset = dataOffset + paddedSize(header.size);
      continue;
    }
    const entry = makeEntry(header, pending, offset, dataOffset, where);
    if (entry.dataOffset + entry.size > fileSize) {
      throw new ImageError(
        'ERR_INVALID_IMAGE',
        `member ${entry.name} (${entry.size} bytes at ${where}) runs past the end of the archive (${fileSize} bytes)`,
      );
    }
    entries.push(entry);
    pending = {};
    offset = dataOffset + paddedSize(entry.size);
  }
}

// Applies an `x`, `g`, `L` or `K` header to the pending state; `undefined` for a real member's header.
async function readExtended(
  reader: BlockReader,
  header: RawHeader,
  dataOffset: number,
  fileSize: number,
  pending: Pending,
  where: string,
): Promise<Pending | undefined> {
  const flag = header.typeflag;
  if (flag !== 'x' && flag !== 'g' && flag !== 'L' && flag !== 'K') return undefined;
  if (dataOffset + header.size > fileSize) {
    throw new ImageError('ERR_INVALID_IMAGE', `extended header at ${where} runs past the end of the archive`);
  }
  if (header.size > EXTENDED_HEADER_LIMIT) {
    throw new ImageError(
      'ERR_INVALID_IMAGE',
      `extended header at ${where} is larger than ${EXTENDED_HEADER_LIMIT} bytes`,
    );
  }
  // global pax headers set defaults that do not matter for image archives; skip them
  if (flag === 'g') return pending;
  const data = await reader.read(dataOffset, header.size);
  if (flag === 'x') {
    const pax = parsePaxRecords(data, where);
    return { ...pending, pax: new Map([...(pending.pax ?? []), ...pax]) };
  }
  const end = data.indexOf(0);
  const value = new TextDecoder().decode(end < 0 ? data : data.subarray(0, end));
  return flag === 'L' ? { ...pending, longName: value } : { ...pending, longLink: value };
}

function makeEntry(header: RawHeader, pending: Pending, offset: number, dataOffset: number, where: string): TarEntry {
  const pax = pending.pax ?? new Map<string, string>();
  const rawName = pax.get('path') ?? pending.longName ?? header.name;
  const linkName = pax.get('linkpath') ?? pending.longLink ?? header.linkName;
  const type = entryType(header, rawName, pax);
  const size = HEADER_ONLY.has(header.typeflag) ? 0 : (paxInteger(pax, 'size', where) ?? header.size);
  let name: string;
  try {
    name = safeMemberPath(rawName);
  } catch (error) {
    if (!isImageError(error)) throw error;
    throw new ImageError(error.code, `${error.message} at ${where}`, { cause: error });
  }
  const base = {
    name,
    type,
    typeflag: header.typeflag,
    size,
    dataOffset,
    headerOffset: pending.headerOffset ?? offset,
    mode: header.mode,
    mtime: paxSeconds(pax, 'mtime') ?? header.mtime,
  };
  return type === 'hardlink' || type === 'symlink' ? { ...base, linkName } : base;
}

function entryType(header: RawHeader, rawName: string, pax: ReadonlyMap<string, string>): TarEntryType {
  switch (header.typeflag) {
    case '0':
    case '\0':
    case '7':
      // GNU sparse files in pax form hold a sparse map, not the file's bytes
      if ([...pax.keys()].some((key) => key.startsWith('GNU.sparse.'))) return 'other';
      // pre-POSIX archives mark directories with a trailing slash only
      return rawName.endsWith('/') ? 'directory' : 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'directory';
    default:
      return 'other';
  }
}
