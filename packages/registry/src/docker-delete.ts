import type { SystemOptions } from '@ferry/types';
import type { RegistryImageName } from './docker-reference.ts';
import { deleteManifest, fetchManifest } from './manifest-requests.ts';
import { signalOf } from './registry-client.ts';
import { openRegistryClient } from './registry-session.ts';

/**
 * Deletes an image from its registry as skopeo does: the manifest the tag (or digest) names is deleted by
 * digest, which removes every tag pointing at it. Registries refuse deleting unless configured to allow
 * it (distribution: `storage.delete.enabled`), which gives `ERR_NOT_IMPLEMENTED`.
 * @throws {@link ImageError} `ERR_MANIFEST_UNKNOWN`, `ERR_NOT_IMPLEMENTED`, auth and I/O codes.
 */
export async function deleteDockerImage(name: RegistryImageName, options: SystemOptions = {}): Promise<void> {
  await using client = await openRegistryClient(name.domain, name.path, options.registry, signalOf(options));
  const digest = name.digest ?? (await fetchManifest(client, name.path, name.tag, signalOf(options))).digest;
  await deleteManifest(client, name.path, digest, signalOf(options));
}
