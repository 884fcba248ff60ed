import { resolve } from 'node:path';
import { explicitPath } from '@ferry/blob';
import type { ImageDestination, ImageReference, ImageSource, SystemOptions, Transport } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import { openOciArchiveDestination } from './oci-archive-destination.ts';
import { openOciArchiveSource } from './oci-archive-source.ts';
import { formatOciReferenceText, type OciReferenceParts, parseOciReferenceText } from './oci-reference-text.ts';
import { pathNamespaces, validatePathScope } from './policy-scope.ts';

/** An `oci-archive:` reference: an image in a tar file of an OCI image layout. */
export interface OciArchiveReference extends ImageReference {
  /** The archive file, as given. */
  readonly file: string;
  /** The reference name (`org.opencontainers.image.ref.name`), or `undefined`. */
  readonly name: string | undefined;
}

/** The parts of an `oci-archive:` reference, as given to {@link openOciArchiveSource} and the destination. */
export interface OciArchiveReferenceParts {
  /** The archive file, as given. */
  readonly file: string;
  /** The reference name, or `undefined` for none. */
  readonly name: string | undefined;
}

/**
 * The `oci-archive:` transport: `oci-archive:PATH[:NAME]`, a tar of an OCI image layout, as skopeo writes
 * and reads it. The grammar is `oci:`'s (the path ends at the first `:`), without `@N`, which
 * containers/image does not accept for archives either.
 *
 * - Reading takes the entry named `NAME`, or the only entry without a name. A regular file is read in
 *   place (its tar index is built once, blobs are streamed from their offsets, nothing is extracted); a
 *   pipe or device (`/dev/stdin`) is copied once into a temp file in `tempDir`.
 * - Writing stages a layout beside the archive and, at `commit`, writes the tar to a temp file beside it
 *   and renames it over the archive: an existing archive is replaced whole (as containers/image does, its
 *   other images are not kept), and only once the new one is complete.
 *
 * The policy identity is the absolute archive path (the name is not part of it, as in containers/image).
 *
 * @example
 * ```ts
 * const registry = createTransportRegistry([ociArchiveTransport()]);
 * await using source = await registry.parse('oci-archive:/tmp/image.tar:v1').newImageSource();
 * const { bytes, mediaType } = await source.getManifest();
 * ```
 */
export function ociArchiveTransport(): Transport {
  const transport: Transport = {
    name: 'oci-archive',
    parseReference: (text) => ociArchiveReference(transport, parseOciArchiveReferenceText(text)),
    validatePolicyScope: validatePathScope,
  };
  return transport;
}

/**
 * Parses the text after `oci-archive:` (`PATH[:NAME]`).
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE` naming what is wrong.
 * @example
 * ```ts
 * parseOciArchiveReferenceText('/tmp/image.tar:v1'); // { file: '/tmp/image.tar', name: 'v1' }
 * ```
 */
export function parseOciArchiveReferenceText(text: string): OciArchiveReferenceParts {
  let parts: OciReferenceParts;
  try {
    parts = parseOciReferenceText(text);
  } catch (cause) {
    if (!isImageError(cause)) throw cause;
    throw new ImageError('ERR_INVALID_REFERENCE', `invalid oci-archive: reference ${JSON.stringify(text)}`, {
      cause,
    });
  }
  if (parts.sourceIndex !== undefined) {
    throw new ImageError(
      'ERR_INVALID_REFERENCE',
      `invalid oci-archive: reference ${JSON.stringify(text)}: @N is not a valid reference name in an archive`,
    );
  }
  return { file: parts.dir, name: parts.name };
}

function ociArchiveReference(transport: Transport, parts: OciArchiveReferenceParts): OciArchiveReference {
  const absolute = resolve(parts.file);
  const ref: OciArchiveReference = {
    transport,
    file: parts.file,
    name: parts.name,
    withinTransport: formatOciReferenceText({ dir: parts.file, name: parts.name, sourceIndex: undefined }),
    // symlinks resolved when a policy asks, as containers/image does (parsing stays free of I/O)
    get policyIdentity(): string {
      return explicitPath(absolute);
    },
    get policyNamespaces(): readonly string[] {
      return pathNamespaces(explicitPath(absolute));
    },
    newImageSource: (options?: SystemOptions): Promise<ImageSource> => openOciArchiveSource(ref, parts, options),
    newImageDestination: (options?: SystemOptions): Promise<ImageDestination> =>
      openOciArchiveDestination(ref, parts, options),
  };
  return ref;
}
