import { dirname, isAbsolute, normalize, resolve } from 'node:path';
import { explicitPath } from '@ferry/blob';
import type { ImageDestination, ImageReference, ImageSource, SystemOptions, Transport } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { openDirDestination } from './dir-destination.ts';
import { openDirSource } from './dir-source.ts';

/** A `dir:` reference: an image stored as a directory of files. */
export interface DirReference extends ImageReference {
  /** The absolute path of the directory. */
  readonly path: string;
}

/**
 * The `dir:` transport: an image (or list) as a directory holding `manifest.json`, one file per blob named by
 * its digest, `signature-N` files and a `version` file, read and written compatibly with skopeo. Writing is
 * atomic: the image is staged beside the target and swapped in by `commit`.
 *
 * @example
 * ```ts
 * const ref = dirTransport().parseReference('/tmp/busybox');
 * const source = await ref.newImageSource();
 * const { bytes } = await source.getManifest();
 * ```
 */
export function dirTransport(): Transport {
  const transport: Transport = {
    name: 'dir',
    parseReference: (text) => dirReference(transport, text),
    validatePolicyScope: validateScope,
  };
  return transport;
}

function dirReference(transport: Transport, text: string): DirReference {
  if (text === '' || text.includes('\0')) {
    throw new ImageError('ERR_INVALID_REFERENCE', `dir: needs a path, got ${JSON.stringify(text)}`);
  }
  // resolved without I/O (parseReference must not touch the disk): symlinks are kept as written
  const path = resolve(text);
  if (path === '/') throw new ImageError('ERR_INVALID_REFERENCE', 'dir: cannot write an image as the root directory');
  const ref: DirReference = {
    transport,
    path,
    withinTransport: path,
    // the policy judges where the image really is (symlinks resolved, as containers/image does), asked only
    // when a policy looks, so parsing stays free of I/O
    get policyIdentity(): string {
      return explicitPath(path);
    },
    get policyNamespaces(): readonly string[] {
      return parents(explicitPath(path));
    },
    newImageSource: (options?: SystemOptions): Promise<ImageSource> => openDirSource(ref, options),
    newImageDestination: (options?: SystemOptions): Promise<ImageDestination> => openDirDestination(ref, options),
    deleteImage: async (): Promise<void> => {
      throw new ImageError('ERR_NOT_IMPLEMENTED', `deleting images is not implemented for dir:${path}`);
    },
  };
  return ref;
}

// The parent directories, most specific first, without "/" (which would shadow the transport-wide default).
function parents(path: string): string[] {
  const out: string[] = [];
  for (let p = dirname(path); p !== '/' && p !== dirname(p); p = dirname(p)) out.push(p);
  return out;
}

function validateScope(scope: string): void {
  if (!isAbsolute(scope)) throw new ImageError('ERR_INVALID_ARGUMENT', `invalid scope ${scope}: not an absolute path`);
  if (scope === '/') throw new ImageError('ERR_INVALID_ARGUMENT', 'invalid scope "/": use the default scope ""');
  const clean = normalize(scope).replace(/(.)\/$/, '$1');
  if (clean !== scope)
    throw new ImageError('ERR_INVALID_ARGUMENT', `invalid scope ${scope}: not canonical, try ${clean}`);
}
