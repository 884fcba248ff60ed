import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ImageError } from '@ferry/types';

const SMALL_FILE_LIMIT = 4 * 1024 * 1024;

/** Reads a small input file named by a flag (a key, a signature, a passphrase), refusing one over 4 MiB. */
export async function readSmallFile(cwd: string, path: string, what: string, signal: AbortSignal): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(resolve(cwd, path), { signal });
  } catch (cause) {
    if (signal.aborted) throw signal.reason;
    throw new ImageError('ERR_IO', `reading ${what} from ${path}: ${(cause as Error).message}`, { cause });
  }
  if (bytes.length > SMALL_FILE_LIMIT) {
    throw new ImageError('ERR_TOO_LARGE', `${what} ${path} is over ${SMALL_FILE_LIMIT} bytes`);
  }
  return bytes;
}

/**
 * Reads a passphrase file as containers/image does: the first line, without its line ending. The passphrase
 * is never put in an error.
 */
export async function readPassphraseFile(cwd: string, path: string, signal: AbortSignal): Promise<string> {
  const text = new TextDecoder().decode(await readSmallFile(cwd, path, 'passphrase', signal));
  return text.split('\n')[0]?.replace(/\r$/, '') ?? '';
}
