import { dirTransport } from '@ferry/dir';
import { ociArchiveTransport, ociTransport } from '@ferry/oci-layout';
import { dockerArchiveTransport } from '@ferry/tarfile';
import { createTransportRegistry, type TransportRegistry } from '@ferry/types';

/**
 * The transports Ferry ships, as a registry: `dir:`, `oci:`, `oci-archive:` and `docker-archive:` (the
 * registry transport `docker:` joins with its package). Extend it with your own: `defaultTransports().extend(myTransport())`.
 * @example
 * ```ts
 * const ref = defaultTransports().parse('oci:/srv/layout:v1');
 * ```
 */
export function defaultTransports(): TransportRegistry {
  return createTransportRegistry([dirTransport(), dockerArchiveTransport(), ociTransport(), ociArchiveTransport()]);
}
