import { dirTransport } from '@ferry/dir';
import { ociArchiveTransport, ociTransport } from '@ferry/oci-layout';
import { createTransportRegistry, type TransportRegistry } from '@ferry/types';

/**
 * The transports Ferry ships, as a registry: `dir:`, `oci:` and `oci-archive:`; `docker-archive:` joins as
 * its package lands. Extend it with your own: `defaultTransports().extend(myTransport())`.
 * @example
 * ```ts
 * const ref = defaultTransports().parse('oci:/srv/layout:v1');
 * ```
 */
export function defaultTransports(): TransportRegistry {
  return createTransportRegistry([dirTransport(), ociTransport(), ociArchiveTransport()]);
}
