import { open } from 'node:fs/promises';
import { type CacheRecord, decodeRecord, recordOf } from './cache-record.ts';

/**
 * The largest write the log makes at once. Appends of at most this size with `O_APPEND` land whole, never
 * interleaved with another process's, so concurrent writers need no lock.
 */
export const MAX_WRITE_BYTES = 4096;

/** What {@link readLog} found. */
export interface LogContents {
  /** The well-formed records, in file order. */
  readonly records: CacheRecord[];
  /** Offset just past the last complete line read: where a later read resumes. */
  readonly end: number;
  /** The inode of the file read (0 when it is missing): a compaction replaces the file, and so changes it. */
  readonly ino: number;
}

/**
 * Reads the log from byte `from` (or from where `from(ino)` says, given the inode of the file opened),
 * skipping lines that do not parse (garbage, or a line torn by a crash) and leaving an unterminated last line
 * unread (it may be a write still landing). A missing file reads as empty.
 */
export async function readLog(
  path: string,
  from: number | ((ino: number) => number),
  signal?: AbortSignal,
): Promise<LogContents> {
  signal?.throwIfAborted();
  let bytes: Buffer;
  let start = typeof from === 'number' ? from : 0;
  let ino = 0;
  try {
    const file = await open(path, 'r');
    try {
      const info = await file.stat();
      const size = info.size;
      ino = info.ino;
      if (typeof from === 'function') start = Math.min(from(ino), size);
      bytes = Buffer.alloc(Math.max(0, size - start));
      let got = 0;
      while (got < bytes.length) {
        const { bytesRead } = await file.read(bytes, got, bytes.length - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      bytes = bytes.subarray(0, got);
    } finally {
      await file.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], end: 0, ino: 0 };
    throw error;
  }
  signal?.throwIfAborted();
  const complete = bytes.lastIndexOf(0x0a) + 1;
  return { records: decodeLines(bytes.toString('utf8', 0, complete)), end: start + complete, ino };
}

/**
 * Decodes complete lines. A clean log (the usual case) is parsed as one JSON array, much faster than line
 * by line; only a log holding garbage is parsed line by line.
 */
function decodeLines(text: string): CacheRecord[] {
  const records: CacheRecord[] = [];
  let whole: unknown;
  try {
    whole = JSON.parse(`[${text.replace(/\n+/g, ',').replace(/^,|,$/g, '')}]`);
  } catch {
    for (const line of text.split('\n')) {
      const record = line.length === 0 ? undefined : decodeRecord(line);
      if (record !== undefined) records.push(record);
    }
    return records;
  }
  for (const value of whole as unknown[]) {
    const record = recordOf(value);
    if (record !== undefined) records.push(record);
  }
  return records;
}

/**
 * Appends encoded lines (each ending with `\n`, each shorter than {@link MAX_WRITE_BYTES}) with single
 * `O_APPEND` writes of at most {@link MAX_WRITE_BYTES}, creating the file `0600`. Every write starts with a
 * `\n`, which ends any line a crashed writer left torn. No fsync: a cache may lose its last records on a
 * power cut. Returns the file's size afterwards.
 */
export async function appendLines(path: string, lines: readonly string[]): Promise<number> {
  const file = await open(path, 'a', 0o600);
  try {
    for (const chunk of chunkLines(lines)) {
      const { bytesWritten } = await file.write(chunk);
      // a short write (disk full) must not be completed by a second write that could interleave with others
      if (bytesWritten < chunk.length) break;
    }
    return (await file.stat()).size;
  } finally {
    await file.close();
  }
}

function chunkLines(lines: readonly string[]): Buffer[] {
  const chunks: Buffer[] = [];
  let parts: string[] = [];
  let size = 1;
  for (const line of lines) {
    const length = Buffer.byteLength(line, 'utf8');
    if (length + 1 > MAX_WRITE_BYTES) continue; // too large to land atomically: kept in memory only
    if (size + length > MAX_WRITE_BYTES) {
      chunks.push(Buffer.from(`\n${parts.join('')}`, 'utf8'));
      parts = [];
      size = 1;
    }
    parts.push(line);
    size += length;
  }
  if (parts.length > 0) chunks.push(Buffer.from(`\n${parts.join('')}`, 'utf8'));
  return chunks;
}
