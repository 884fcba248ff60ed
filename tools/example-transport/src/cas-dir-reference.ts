import { dirname, resolve } from 'node:path';
import type { ImageDestination, ImageReference, ImageSource, SystemOptions, Transport } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { openCasDirDestination } from './cas-dir-destination.ts';
import { openCasDirSource } from './cas-dir-source.ts';

/** A `cas-dir:` reference: an image name in a store directory. */
export interface CasDirReference extends ImageReference {
  /** Absolute path of the store directory. */
  readonly root: string;
  /** Name of the image in the store. */
  readonly name: string;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Parses `PATH[:NAME]` (NAME defaults to `latest`) into a reference of `transport`. Resolves a relative
 * path against the working directory but touches no file: `parseReference` MUST NOT do I/O.
 *
 * @throws `ERR_INVALID_REFERENCE` for an empty path or a malformed name.
 */
export function parseCasDirReference(transport: Transport, text: string): CasDirReference {
  const colon = text.lastIndexOf(':');
  const hasName = colon >= 0 && !text.slice(colon + 1).includes('/');
  const path = hasName ? text.slice(0, colon) : text;
  const name = hasName ? text.slice(colon + 1) : 'latest';
  if (path === '') throw new ImageError('ERR_INVALID_REFERENCE', `cas-dir:${text} names no directory`);
  if (!NAME.test(name)) {
    throw new ImageError(
      'ERR_INVALID_REFERENCE',
      `cas-dir:${text}: image name ${JSON.stringify(name)} must match ${NAME}`,
    );
  }
  const root = resolve(path);
  const ref: CasDirReference = {
    transport,
    root,
    name,
    // parseReference(withinTransport) gives back an equal reference, as the contract requires
    withinTransport: `${root}:${name}`,
    // signature policy scopes: this image, then the store and each directory above it
    policyIdentity: `${root}:${name}`,
    policyNamespaces: ancestors(root),
    newImageSource: (options?: SystemOptions): Promise<ImageSource> => openCasDirSource(ref, options),
    newImageDestination: (options?: SystemOptions): Promise<ImageDestination> => openCasDirDestination(ref, options),
  };
  return ref;
}

function ancestors(path: string): string[] {
  const out = [path];
  for (let dir = dirname(path); dir !== out[out.length - 1]; dir = dirname(dir)) out.push(dir);
  return out;
}
