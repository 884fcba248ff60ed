import { MANIFEST_LIMIT } from '@ferry/blob';
import type { TarArchive } from '@ferry/tar';
import type { CallOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { type LayoutIndex, parseLayoutIndex } from './layout-index.ts';
import { IMAGE_LAYOUT_VERSION, INDEX_FILE, OCI_LAYOUT_FILE } from './layout-paths.ts';

// `oci-layout` is a one-line JSON document
const LAYOUT_FILE_LIMIT = 64 * 1024;

/**
 * Checks the `oci-layout` member of an archive (version 1.0.0) and reads and validates its `index.json`.
 *
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` naming the member that is missing or wrong; `ERR_TOO_LARGE`
 * for an oversized member; `ERR_IO`; an abort throws `signal.reason`.
 */
export async function readArchiveIndex(archive: TarArchive, file: string, options: CallOptions): Promise<LayoutIndex> {
  const versionBytes = await readRequired(archive, OCI_LAYOUT_FILE, LAYOUT_FILE_LIMIT, file, options);
  const where = `${OCI_LAYOUT_FILE} in oci-archive:${file}`;
  let version: unknown;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(versionBytes));
    version = (parsed as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion;
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', `${where} is not valid JSON`, { cause });
  }
  if (version !== IMAGE_LAYOUT_VERSION) {
    throw new ImageError(
      'ERR_INVALID_IMAGE',
      `${where}: imageLayoutVersion is ${JSON.stringify(version)}, only ${IMAGE_LAYOUT_VERSION} is supported`,
    );
  }
  const indexBytes = await readRequired(archive, INDEX_FILE, MANIFEST_LIMIT, file, options);
  return parseLayoutIndex(indexBytes, `${INDEX_FILE} in oci-archive:${file}`);
}

async function readRequired(
  archive: TarArchive,
  name: string,
  limit: number,
  file: string,
  options: CallOptions,
): Promise<Uint8Array> {
  const entry = archive.resolve(name);
  if (entry === undefined) {
    throw new ImageError('ERR_INVALID_IMAGE', `oci-archive:${file} holds no ${name}: not an OCI archive`);
  }
  if (entry.type !== 'file') {
    throw new ImageError('ERR_INVALID_IMAGE', `${name} in oci-archive:${file} is not a regular file`);
  }
  return archive.readMember(entry.name, limit, options);
}
