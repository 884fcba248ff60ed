import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ImageError, isImageError, MANIFEST_LIMIT } from '@ferry/types';
import type { Command } from '../command.ts';

/** `ferry manifest-digest FILE`: prints the digest of a manifest file, as `skopeo manifest-digest` does. */
export const manifestDigestCommand: Command = {
  name: 'manifest-digest',
  summary: 'Compute a manifest digest of a file',
  usage: 'ferry manifest-digest MANIFEST-FILE',
  examples: ['ferry manifest-digest manifest.json'],
  flags: [],
  args: { min: 1, max: 1 },
  async run({ args, io, signal }) {
    const path = resolve(io.cwd, args.positionals[0] as string);
    const { manifestDigest } = await import('@ferry/manifest');
    io.stdout(`${manifestDigest(await readManifestFile(path, signal))}\n`);
    return 0;
  },
};

/** Reads a manifest file, refusing one over the 4 MiB limit before reading it. */
export async function readManifestFile(path: string, signal: AbortSignal): Promise<Uint8Array> {
  try {
    await using handle = await open(path, 'r');
    const { size } = await handle.stat();
    if (size > MANIFEST_LIMIT) {
      throw new ImageError('ERR_TOO_LARGE', `manifest ${path} is ${size} bytes, over the ${MANIFEST_LIMIT}-byte limit`);
    }
    return await handle.readFile({ signal });
  } catch (cause) {
    if (signal.aborted) throw signal.reason;
    if (isImageError(cause)) throw cause;
    throw new ImageError('ERR_IO', `reading manifest from ${path}: ${(cause as Error).message}`, { cause });
  }
}
