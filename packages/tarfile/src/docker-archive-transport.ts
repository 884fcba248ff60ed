import { dirname } from 'node:path';
import { explicitPath } from '@ferry/blob';
import type {
  ImageDestination,
  ImageReference,
  ImageSource,
  NamedReference,
  SystemOptions,
  Transport,
} from '@ferry/types';
import { ImageError } from '@ferry/types';
import {
  type ArchiveReferenceParts,
  formatArchiveReferenceText,
  parseArchiveReferenceText,
} from './archive-reference-text.ts';
import type { ImageSelector } from './choose-image.ts';
import { openArchiveDestination } from './docker-archive-destination.ts';
import { type DockerArchiveReader, openDockerArchive } from './docker-archive-reader.ts';
import { openArchiveSource } from './docker-archive-source.ts';
import { type DockerArchiveWriter, openDockerArchiveWriter } from './docker-archive-writer.ts';

/** A `docker-archive:` reference: an image in a `docker save` archive. */
export interface DockerArchiveReference extends ImageReference {
  /** The archive's path, as given. */
  readonly path: string;
  /** The image's tagged name (`PATH:NAME:TAG`), or `undefined`. */
  readonly name: NamedReference | undefined;
  /** The zero-based position in `manifest.json` (`PATH:@N`, sources only), or `undefined`. */
  readonly sourceIndex: number | undefined;
}

/**
 * The `docker-archive:` transport, as containers/image's: `PATH` (the only image when reading; an untagged
 * image when writing), `PATH:NAME[:TAG]` (the tag defaults to `latest`; digests are refused) and `PATH:@N`
 * (the N-th image, sources only). `-` reads standard input. Writing creates a new archive, replacing an
 * existing file only once the new one is complete; `SystemOptions.additionalTags` adds tags. There are no
 * per-image policy scopes: the identity is empty and any non-default scope is refused.
 *
 * @example
 * ```ts
 * const registry = createTransportRegistry([dockerArchiveTransport()]);
 * await using source = await registry.parse('docker-archive:/tmp/images.tar:busybox:latest').newImageSource();
 * const { bytes } = await source.getManifest();
 * ```
 */
export function dockerArchiveTransport(): Transport {
  const transport: Transport = {
    name: 'docker-archive',
    parseReference: (text) => archiveReference(transport, parseArchiveReferenceText(text), {}),
    validatePolicyScope: (scope) => {
      throw new ImageError(
        'ERR_INVALID_ARGUMENT',
        `docker-archive does not support any policy scope except the default "" (got ${JSON.stringify(scope)})`,
      );
    },
  };
  return transport;
}

/** A reference whose sources read an archive that is open already (they do not close it). */
export function readerReference(reader: DockerArchiveReader, selector: ImageSelector): DockerArchiveReference {
  const parts = { path: reader.path, name: selector.name, sourceIndex: selector.sourceIndex };
  return archiveReference(dockerArchiveTransport(), parts, { reader });
}

/** A reference whose destinations add their image to an open writer (they do not commit it). */
export function writerReference(writer: DockerArchiveWriter, name: NamedReference | undefined): DockerArchiveReference {
  const parts = { path: writer.path, name, sourceIndex: undefined };
  return archiveReference(dockerArchiveTransport(), parts, { writer });
}

interface Bound {
  readonly reader?: DockerArchiveReader;
  readonly writer?: DockerArchiveWriter;
}

function archiveReference(transport: Transport, parts: ArchiveReferenceParts, bound: Bound): DockerArchiveReference {
  const ref: DockerArchiveReference = {
    transport,
    path: parts.path,
    name: parts.name,
    sourceIndex: parts.sourceIndex,
    withinTransport: formatArchiveReferenceText(parts),
    ...(parts.name !== undefined && { dockerReference: parts.name }),
    // containers/image offers docker-archive only the transport-wide scope; Ferry adds path scopes, as for dir:
    get policyIdentity(): string {
      return explicitPath(parts.path);
    },
    get policyNamespaces(): readonly string[] {
      return parentDirectories(explicitPath(parts.path));
    },
    newImageSource: (options?: SystemOptions): Promise<ImageSource> => newSource(ref, parts, bound, options),
    newImageDestination: (options?: SystemOptions): Promise<ImageDestination> =>
      newDestination(ref, parts, bound, options),
  };
  return ref;
}

async function newSource(
  ref: ImageReference,
  parts: ArchiveReferenceParts,
  bound: Bound,
  options: SystemOptions = {},
): Promise<ImageSource> {
  if (bound.reader !== undefined) return openArchiveSource(bound.reader, parts, false, ref);
  const reader = await openDockerArchive(parts.path, {
    ...(options.signal && { signal: options.signal }),
    ...(options.tempDir !== undefined && { tempDir: options.tempDir }),
  });
  try {
    return openArchiveSource(reader, parts, true, ref);
  } catch (error) {
    await reader.close();
    throw error;
  }
}

async function newDestination(
  ref: ImageReference,
  parts: ArchiveReferenceParts,
  bound: Bound,
  options: SystemOptions = {},
): Promise<ImageDestination> {
  if (parts.sourceIndex !== undefined) {
    throw new ImageError(
      'ERR_INVALID_REFERENCE',
      `docker-archive:${ref.withinTransport}: a destination must not name a manifest index @${parts.sourceIndex}`,
    );
  }
  if (bound.writer !== undefined) return openArchiveDestination(bound.writer, ref, parts.name, options, false);
  const writer = await openDockerArchiveWriter(parts.path, {
    ...(options.signal && { signal: options.signal }),
    ...(options.tempDir !== undefined && { tempDir: options.tempDir }),
  });
  try {
    return openArchiveDestination(writer, ref, parts.name, options, true);
  } catch (error) {
    await writer[Symbol.asyncDispose]();
    throw error;
  }
}

function parentDirectories(path: string): string[] {
  const out: string[] = [];
  for (let p = dirname(path); p !== '/' && p !== dirname(p); p = dirname(p)) out.push(p);
  return out;
}
