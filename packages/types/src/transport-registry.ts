import { ImageError } from './errors.ts';
import type { ImageReference, Transport } from './transport.ts';

/**
 * An immutable set of transports that turns `transport:reference` text into an {@link ImageReference}.
 * It is a value: make one with {@link createTransportRegistry}, derive others with `extend`.
 */
export interface TransportRegistry extends Iterable<Transport> {
  /** The transport with this name, if any. */
  get(name: string): Transport | undefined;
  /** The names of all transports, sorted. */
  names(): string[];
  /**
   * Parses `transport:reference`, e.g. `oci:/x:tag` or `docker://busybox`.
   * @throws `ERR_INVALID_REFERENCE` when there is no colon, `ERR_UNKNOWN_TRANSPORT` naming the unknown
   * transport, or the transport's own error for a bad reference.
   */
  parse(text: string): ImageReference;
  /** A new registry with these transports added; a transport replaces one of the same name. */
  extend(...transports: readonly Transport[]): TransportRegistry;
}

const NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Creates a transport registry.
 *
 * @throws `ERR_INVALID_ARGUMENT` for an invalid or duplicate transport name.
 * @example
 * ```ts
 * const transports = createTransportRegistry([ociTransport(), dirTransport()]);
 * const ref = transports.parse('oci:/tmp/layout:latest');
 * ```
 */
export function createTransportRegistry(transports: Iterable<Transport>): TransportRegistry {
  const byName = new Map<string, Transport>();
  for (const t of transports) {
    checkName(t);
    if (byName.has(t.name))
      throw new ImageError('ERR_INVALID_ARGUMENT', `transport ${JSON.stringify(t.name)} given twice`);
    byName.set(t.name, t);
  }
  return makeRegistry(byName);
}

function checkName(t: Transport): void {
  if (typeof t?.name !== 'string' || !NAME.test(t.name)) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `invalid transport name ${JSON.stringify(t?.name)}: must match ${NAME}`,
    );
  }
}

function makeRegistry(byName: ReadonlyMap<string, Transport>): TransportRegistry {
  const registry: TransportRegistry = {
    get: (name) => byName.get(name),
    names: () => [...byName.keys()].sort(),
    parse(text) {
      const colon = text.indexOf(':');
      if (colon <= 0) {
        throw new ImageError(
          'ERR_INVALID_REFERENCE',
          `invalid image name ${JSON.stringify(text)}: expected colon-separated transport:reference`,
        );
      }
      const name = text.slice(0, colon);
      const transport = byName.get(name);
      if (transport === undefined) {
        const known = registry.names().join(', ');
        throw new ImageError(
          'ERR_UNKNOWN_TRANSPORT',
          `invalid image name ${JSON.stringify(text)}: unknown transport ${JSON.stringify(name)} (known: ${known || 'none'})`,
        );
      }
      return transport.parseReference(text.slice(colon + 1));
    },
    extend(...more) {
      const next = new Map(byName);
      for (const t of more) {
        checkName(t);
        next.set(t.name, t);
      }
      return makeRegistry(next);
    },
    [Symbol.iterator]: () => byName.values(),
  };
  return Object.freeze(registry);
}
