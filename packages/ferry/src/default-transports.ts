import { dirTransport } from '@ferry/dir';
import { ociArchiveTransport, ociTransport } from '@ferry/oci-layout';
import { dockerTransport } from '@ferry/registry';
import { dockerArchiveTransport } from '@ferry/tarfile';
import { createTransportRegistry, type TransportRegistry } from '@ferry/types';

/**
 * The transports Ferry ships, as a registry: `dir:`, `docker:` (registries), `docker-archive:`, `oci:` and
 * `oci-archive:`. Extend it with your own: `defaultTransports().extend(myTransport())`.
 * @example
 * ```ts
 * const ref = defaultTransports().parse('oci:/srv/layout:v1');
 * ```
 */
export function defaultTransports(): TransportRegistry {
  return createTransportRegistry([
    dirTransport(),
    dockerTransport(),
    dockerArchiveTransport(),
    ociTransport(),
    ociArchiveTransport(),
  ]);
}
