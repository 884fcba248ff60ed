import { resolve } from 'node:path';
import { explicitPath } from '@ferry/blob';
import type { ImageDestination, ImageReference, ImageSource, SystemOptions, Transport } from '@ferry/types';
import { deleteOciImage } from './oci-delete.ts';
import { openOciDestination } from './oci-destination.ts';
import { formatOciReferenceText, type OciReferenceParts, parseOciReferenceText } from './oci-reference-text.ts';
import { openOciSource } from './oci-source.ts';
import { pathNamespaces, validatePathScope } from './policy-scope.ts';

/** An `oci:` reference: an image in an OCI image layout directory. */
export interface OciReference extends ImageReference {
  /** The layout directory, as given. */
  readonly dir: string;
  /** The reference name (`org.opencontainers.image.ref.name`), or `undefined`. */
  readonly name: string | undefined;
  /** The zero-based position in `index.json` (`PATH:@N`, sources only), or `undefined`. */
  readonly sourceIndex: number | undefined;
}

/**
 * The `oci:` transport: `oci:PATH[:NAME]` and `oci:PATH:@N`, as skopeo accepts them. A name is stored as
 * the `org.opencontainers.image.ref.name` annotation of the image's `index.json` entry; reading without a
 * name takes the only image of the layout, writing without one adds an unnamed entry. Writing keeps every
 * other entry (under a lock, so concurrent writers never lose each other's tags) and replaces only the
 * entry of the same name.
 *
 * The policy identity is the absolute layout path (the name is not part of it, as in containers/image);
 * symlinks are not resolved, since parsing does no I/O.
 *
 * @example
 * ```ts
 * const registry = createTransportRegistry([ociTransport()]);
 * await using source = await registry.parse('oci:/srv/layout:v1').newImageSource();
 * const { bytes, mediaType } = await source.getManifest();
 * ```
 */
export function ociTransport(): Transport {
  const transport: Transport = {
    name: 'oci',
    parseReference: (text) => ociReference(transport, parseOciReferenceText(text)),
    validatePolicyScope: validatePathScope,
  };
  return transport;
}

function ociReference(transport: Transport, parts: OciReferenceParts): OciReference {
  const absolute = resolve(parts.dir);
  const ref: OciReference = {
    transport,
    dir: parts.dir,
    name: parts.name,
    sourceIndex: parts.sourceIndex,
    withinTransport: formatOciReferenceText(parts),
    // symlinks resolved when a policy asks, as containers/image does (parsing stays free of I/O)
    get policyIdentity(): string {
      return explicitPath(absolute);
    },
    get policyNamespaces(): readonly string[] {
      return pathNamespaces(explicitPath(absolute));
    },
    newImageSource: (options?: SystemOptions): Promise<ImageSource> => openOciSource(ref, parts, options),
    newImageDestination: (options?: SystemOptions): Promise<ImageDestination> =>
      openOciDestination(ref, parts, options),
    deleteImage: (options?: SystemOptions): Promise<void> => deleteOciImage(parts, options),
  };
  return ref;
}
