import { readFile } from 'node:fs/promises';
import { type CallOptions, ImageError } from '@ferry/types';
import type { KeySource } from './policy-types.ts';

/**
 * Reads every byte source of a {@link KeySource}: the file of `path`, each file of `paths` (in order), or the
 * inline `data`/`datas`. Paths are used as they are: `parsePolicy` already made them absolute.
 *
 * @throws {@link ImageError} `ERR_IO` naming the file that could not be read (never its contents); an abort
 * rejects with `signal.reason`.
 * @example
 * ```ts
 * const [armored] = await readKeySource({ kind: 'path', path: '/etc/pki/containers/key.gpg' }, { signal });
 * ```
 */
export async function readKeySource(source: KeySource, options?: CallOptions): Promise<Uint8Array[]> {
  switch (source.kind) {
    case 'data':
      return [source.data];
    case 'datas':
      return [...source.datas];
    case 'path':
      return [await readKeyFile(source.path, options?.signal)];
    case 'paths': {
      const files: Uint8Array[] = [];
      for (const path of source.paths) files.push(await readKeyFile(path, options?.signal));
      return files;
    }
    default:
      return unknownSource(source);
  }
}

async function readKeyFile(path: string, signal: AbortSignal | undefined): Promise<Uint8Array> {
  signal?.throwIfAborted();
  try {
    const bytes = await readFile(path, signal === undefined ? {} : { signal });
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const reason = (error as { code?: unknown }).code ?? (error instanceof Error ? error.message : 'unknown error');
    throw new ImageError('ERR_IO', `cannot read key file ${path}: ${String(reason)}`, { cause: error });
  }
}

function unknownSource(source: never): never {
  const kind = (source as { kind?: unknown }).kind;
  throw new ImageError('ERR_INVALID_POLICY', `unknown key source kind ${JSON.stringify(kind)}`);
}
