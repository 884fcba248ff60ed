import { ImageError } from '@ferry/types';
import type { CommandContext } from '../command.ts';
import { systemOptionsFrom } from './copy-options.ts';
import { registryOptionsFrom } from './registry-flags.ts';

/**
 * Runs `ferry delete` (see delete.ts for its flags). For `docker://` the manifest the tag names is deleted
 * by digest, which removes every tag pointing at it, as skopeo does.
 */
export async function runDelete({ args, signal, transports }: CommandContext): Promise<number> {
  const ref = (await transports()).parse(args.positionals[0] as string);
  if (ref.deleteImage === undefined) {
    throw new ImageError('ERR_NOT_IMPLEMENTED', `Deleting images not implemented for ${ref.transport.name}: images`);
  }
  await ref.deleteImage({ ...systemOptionsFrom(args, signal), registry: registryOptionsFrom(args, '', 'delete') });
  return 0;
}
