import { createReadStream } from 'node:fs';
import { type FileHandle, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createTarWriter, type TarWriter } from '@ferry/tar';
import type { CallOptions } from '@ferry/types';
import { asLayoutError } from './fs-error.ts';
import { BLOBS_DIR, INDEX_FILE, OCI_LAYOUT_FILE } from './layout-paths.ts';
import { archiveSibling } from './oci-archive-staging.ts';
import { syncDir } from './publish-blob.ts';

// as skopeo writes them (files 0644, directories 0755); mtime stays 0 so an image always gives the same bytes
const TAR_OPTIONS = { fileMode: 0o644, directoryMode: 0o755 } as const;

/** Options of {@link writeLayoutArchive}. */
export interface WriteLayoutArchiveOptions extends CallOptions {
  /**
   * Write straight into `target` (a FIFO or a device such as `/dev/stdout`, which cannot be replaced by a
   * rename) instead of a temp file renamed over it.
   * @default false
   */
  readonly direct?: boolean;
}

/**
 * Writes the tar of the layout at `layoutDir` to `target` atomically: into a hidden temp file beside it,
 * fsynced, then renamed over it, so an existing archive is replaced only by a complete one. Members come in
 * skopeo's order: `blobs/`, each `blobs/<alg>/` with its blobs sorted by name, `index.json`, `oci-layout`.
 * Only those are written (no lock file or work area of the layout engine). The temp file is removed on any
 * failure.
 *
 * @throws {@link ImageError} `ERR_IO`; an abort throws `signal.reason`.
 */
export async function writeLayoutArchive(
  layoutDir: string,
  target: string,
  options: WriteLayoutArchiveOptions = {},
): Promise<void> {
  const { signal } = options;
  signal?.throwIfAborted();
  if (options.direct === true) {
    await writeInto(layoutDir, target, 'w', signal);
    return;
  }
  const temp = archiveSibling(target, 'tmp');
  try {
    await writeInto(layoutDir, temp, 'wx', signal);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw asLayoutError(error, `writing oci-archive ${target}`, signal);
  }
  await syncDir(dirname(target));
}

async function writeInto(layoutDir: string, path: string, flags: string, signal?: AbortSignal): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, flags, 0o666);
    const tar = createTarWriter(handle, { ...TAR_OPTIONS, ...(signal && { signal }) });
    await addLayout(tar, layoutDir, signal);
    await tar.finish();
    // a FIFO or a device cannot be synced, and needs not be
    if ((await handle.stat()).isFile()) await handle.sync();
  } catch (error) {
    throw asLayoutError(error, `writing oci-archive ${path}`, signal);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function addLayout(tar: TarWriter, root: string, signal: AbortSignal | undefined): Promise<void> {
  const call = signal === undefined ? {} : { signal };
  await tar.addDirectory(`${BLOBS_DIR}/`, call);
  for (const algorithm of await visibleNames(join(root, BLOBS_DIR))) {
    await tar.addDirectory(`${BLOBS_DIR}/${algorithm}/`, call);
    const dir = join(root, BLOBS_DIR, algorithm);
    for (const name of await visibleNames(dir)) {
      const path = join(dir, name);
      // blob files are complete and immutable (published by hard link after verification)
      const { size } = await stat(path);
      const stream = createReadStream(path, { highWaterMark: 1 << 20 });
      await tar.addFile(`${BLOBS_DIR}/${algorithm}/${name}`, size, stream, call);
    }
  }
  await tar.addBytes(INDEX_FILE, await readFile(join(root, INDEX_FILE), call), call);
  await tar.addBytes(OCI_LAYOUT_FILE, await readFile(join(root, OCI_LAYOUT_FILE), call), call);
}

/** Entry names of a directory, sorted bytewise, without hidden (temp) names. */
async function visibleNames(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
