import type { Transport } from '@ferry/types';
import { parseCasDirReference } from './cas-dir-reference.ts';

/**
 * The `cas-dir:` transport: images in a content-addressed store directory (`blobs/<algorithm>/<hex>` plus
 * an `index.json` naming images), written through staging and published on `commit`. An example of a
 * third-party transport: it uses only the public contract of `@ferry/types` and Node built-ins.
 *
 * References are `cas-dir:PATH[:NAME]`; NAME defaults to `latest`.
 *
 * @example
 * ```ts
 * import { createTransportRegistry } from '@ferry/types';
 * const transports = createTransportRegistry([casDirTransport()]);
 * await using source = await transports.parse('cas-dir:/srv/images:web').newImageSource();
 * ```
 */
export function casDirTransport(): Transport {
  const transport: Transport = {
    name: 'cas-dir',
    parseReference: (text) => parseCasDirReference(transport, text),
  };
  return transport;
}
