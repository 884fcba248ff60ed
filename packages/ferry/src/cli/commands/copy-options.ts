import type { CopyOptions, ImageListSelection } from '@ferry/copy';
import { DOCKER_V2S1_SIGNED_MEDIA_TYPE, DOCKER_V2S2_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE } from '@ferry/manifest';
import { parseNormalizedNamed } from '@ferry/reference';
import { isImageError, type NamedReference, type SystemOptions } from '@ferry/types';
import type { ParsedArgs } from '../flags.ts';
import { UsageError } from '../usage-error.ts';
import { registryOptionsFrom } from './registry-flags.ts';

const FORMATS: Readonly<Record<string, string>> = {
  oci: OCI_MANIFEST_MEDIA_TYPE,
  v2s1: DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  v2s2: DOCKER_V2S2_MEDIA_TYPE,
};

/** Reads a string flag. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name) as string | undefined;
}

/** Reads a boolean flag. */
export function boolFlag(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}

/** The `--override-os/arch/variant` and `--tmpdir` settings, as SystemOptions for opening images. */
export function systemOptionsFrom(args: ParsedArgs, signal: AbortSignal): SystemOptions {
  const platform = {
    ...(stringFlag(args, 'override-os') !== undefined && { os: stringFlag(args, 'override-os') as string }),
    ...(stringFlag(args, 'override-arch') !== undefined && {
      architecture: stringFlag(args, 'override-arch') as string,
    }),
    ...(stringFlag(args, 'override-variant') !== undefined && {
      variant: stringFlag(args, 'override-variant') as string,
    }),
  };
  const tempDir = stringFlag(args, 'tmpdir');
  return {
    signal,
    ...(Object.keys(platform).length > 0 && { platform }),
    ...(tempDir !== undefined && { tempDir }),
  };
}

/** Maps `ferry copy` flags to {@link CopyOptions}, refusing contradictions as skopeo does. */
export function copyOptionsFrom(args: ParsedArgs, signal: AbortSignal): CopyOptions {
  const system = systemOptionsFrom(args, signal);
  const format = stringFlag(args, 'format');
  if (format !== undefined && FORMATS[format] === undefined) {
    throw new UsageError(
      `unknown format "${format}". Choose one of the supported formats: 'oci', 'v2s1', or 'v2s2'`,
      'copy',
    );
  }
  const compressFormat = stringFlag(args, 'dest-compress-format');
  if (compressFormat !== undefined && compressFormat !== 'gzip' && compressFormat !== 'zstd') {
    throw new UsageError(`unknown compression format "${compressFormat}": use gzip or zstd`, 'copy');
  }
  const level = integerFlag(args, 'dest-compress-level');
  const compress = boolFlag(args, 'dest-compress') || compressFormat !== undefined || level !== undefined;
  if (compress && boolFlag(args, 'dest-decompress')) {
    throw new UsageError(
      '--dest-decompress cannot be combined with --dest-compress, --dest-compress-format or --dest-compress-level',
      'copy',
    );
  }
  const parallel = integerFlag(args, 'image-parallel-copies');
  if (parallel !== undefined && parallel < 1)
    throw new UsageError('--image-parallel-copies must be at least 1', 'copy');
  const destination: SystemOptions = {
    signal,
    registry: registryOptionsFrom(args, 'dest-', 'copy'),
    ...(system.tempDir !== undefined && { tempDir: system.tempDir }),
    ...(boolFlag(args, 'dest-oci-accept-uncompressed-layers') && { ociAcceptUncompressedLayers: true }),
    additionalTags: additionalTags(args),
  };
  return {
    signal,
    sourceOptions: { ...system, registry: registryOptionsFrom(args, 'src-', 'copy') },
    destinationOptions: destination,
    imageListSelection: listSelection(args),
    removeSignatures: boolFlag(args, 'remove-signatures'),
    preserveDigests: boolFlag(args, 'preserve-digests'),
    ...(format !== undefined && { forceManifestMediaType: FORMATS[format] as string }),
    ...(compress && {
      // as skopeo: only a named format recompresses layers compressed otherwise
      destinationCompression: {
        algorithm: compressFormat ?? 'gzip',
        ...(level !== undefined && { level }),
        recompress: compressFormat !== undefined,
      },
    }),
    ...(boolFlag(args, 'dest-decompress') && { decompress: true }),
    ...(parallel !== undefined && { maxParallelBlobs: parallel }),
    ...blobRetryFrom(destination.registry),
  };
}

// --retry-times and --retry-delay also bound how often a blob is sent again from the start
function blobRetryFrom(registry: SystemOptions['registry']): Pick<CopyOptions, 'blobRetry'> {
  if (registry?.retryTimes === undefined && registry?.retryDelayMs === undefined) return {};
  return {
    blobRetry: {
      ...(registry.retryTimes !== undefined && { times: registry.retryTimes }),
      ...(registry.retryDelayMs !== undefined && { delayMs: registry.retryDelayMs }),
    },
  };
}

function listSelection(args: ParsedArgs): ImageListSelection {
  const multiArch = stringFlag(args, 'multi-arch');
  if (boolFlag(args, 'all')) {
    if (multiArch !== undefined) throw new UsageError('Cannot use --all and --multi-arch together', 'copy');
    return 'all';
  }
  switch (multiArch) {
    case undefined:
    case 'system':
      return 'system';
    case 'all':
      return 'all';
    case 'index-only':
      return 'index-only';
    default:
      throw new UsageError(
        `unknown multi-arch option "${multiArch}". Choose one of the supported options: 'system', 'all', or 'index-only'`,
        'copy',
      );
  }
}

function additionalTags(args: ParsedArgs): NamedReference[] {
  const tags = (args.flags.get('additional-tag') as readonly string[] | undefined) ?? [];
  return tags.map((text) => {
    let ref: NamedReference;
    try {
      ref = parseNormalizedNamed(text);
    } catch (cause) {
      if (!isImageError(cause)) throw cause;
      throw new UsageError(`error parsing additional tag ${JSON.stringify(text)}: ${cause.message}`, 'copy');
    }
    if (ref.tag === undefined || ref.digest !== undefined) {
      throw new UsageError(`additional tag ${JSON.stringify(text)} must be of the form name:tag`, 'copy');
    }
    return ref;
  });
}

function integerFlag(args: ParsedArgs, name: string): number | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text))
    throw new UsageError(`invalid argument ${JSON.stringify(text)} for --${name}: not an integer`, 'copy');
  return Number(text);
}
