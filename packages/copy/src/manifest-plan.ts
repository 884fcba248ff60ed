import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  isListMediaType,
  normalizeMediaType,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from '@ferry/manifest';
import { ImageError } from '@ferry/types';

// If the original type cannot be kept: v2s2 first (it need not change when moved), then signed v2s1.
const PREFERRED: readonly string[] = [DOCKER_V2S2_MEDIA_TYPE, DOCKER_V2S1_SIGNED_MEDIA_TYPE];
const ALL_IMAGE_TYPES: readonly string[] = [
  OCI_MANIFEST_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
];
const ALL_LIST_TYPES: readonly string[] = [DOCKER_V2_LIST_MEDIA_TYPE, OCI_INDEX_MEDIA_TYPE];

/** What {@link manifestCandidates} decides from. */
export interface ManifestPlanInput {
  /** The source manifest's media type. */
  readonly sourceType: string;
  /** The destination's accepted types, preferred first; empty means any. */
  readonly destinationTypes: readonly string[];
  /** The user's forced type, if any. */
  readonly forced: string | undefined;
  /** A compression the user demanded for every layer, when not every format can express it. */
  readonly requiredCompression: 'gzip' | 'zstd' | undefined;
  /** Why the manifest must not change, when it must not. */
  readonly cannotModifyReason: string | undefined;
}

function supportsCompression(type: string, compression: 'gzip' | 'zstd' | undefined): boolean {
  return compression !== 'zstd' || type === OCI_MANIFEST_MEDIA_TYPE;
}

/**
 * The manifest types to try for one image, in order, as containers/image's `determineManifestConversion`:
 * the source type when the destination accepts it, then v2s2 and signed v2s1, then the destination's other
 * types. When the manifest must not change only the source type is tried.
 *
 * @throws {@link ImageError} `ERR_MANIFEST_CONVERSION` when no acceptable type can hold the demanded compression.
 */
export function manifestCandidates(input: ManifestPlanInput): readonly string[] {
  const source = normalizeMediaType(input.sourceType);
  const declared = input.forced === undefined ? input.destinationTypes : [input.forced];
  const wanted = (declared.length === 0 ? ALL_IMAGE_TYPES : declared).filter((t) => !isListMediaType(t));
  const supported = wanted.filter((t) => supportsCompression(t, input.requiredCompression));
  if (supported.length === 0) {
    const where =
      input.forced === undefined
        ? `the destination only supports [${wanted.join(', ')}]`
        : `the forced format is ${input.forced}`;
    throw new ImageError(
      'ERR_MANIFEST_CONVERSION',
      `compression using ${input.requiredCompression ?? 'none'} is required, but ${where}, which cannot express it`,
    );
  }
  const ordered = new Set<string>();
  if (supported.includes(source)) ordered.add(source);
  // keep the source type and hope the destination takes it: any other choice would change the digest
  if (input.cannotModifyReason !== undefined) return [source];
  for (const t of PREFERRED) if (supported.includes(t)) ordered.add(t);
  for (const t of supported) ordered.add(t);
  return [...ordered];
}

/**
 * The list types to try, in order, as containers/image's `determineListConversion`: a forced image type maps
 * to its list type; the current type first when accepted.
 *
 * @throws {@link ImageError} `ERR_MANIFEST_CONVERSION` when the destination accepts no list type.
 */
export function listCandidates(
  sourceType: string,
  destinationTypes: readonly string[],
  forced: string | undefined,
): readonly string[] {
  const forcedList = forced === undefined ? undefined : listTypeFor(forced);
  const declared = forcedList === undefined ? destinationTypes : [forcedList];
  const wanted = declared.length === 0 ? ALL_LIST_TYPES : declared;
  const ordered = new Set<string>();
  if (wanted.includes(sourceType)) ordered.add(sourceType);
  for (const t of wanted) if (isListMediaType(t)) ordered.add(t);
  if (ordered.size === 0) {
    throw new ImageError(
      'ERR_MANIFEST_CONVERSION',
      `the destination accepts no manifest list type (it accepts [${wanted.join(', ')}])`,
    );
  }
  return [...ordered];
}

function listTypeFor(forced: string): string {
  if (forced === OCI_MANIFEST_MEDIA_TYPE) return OCI_INDEX_MEDIA_TYPE;
  if (
    forced === DOCKER_V2S2_MEDIA_TYPE ||
    forced === DOCKER_V2S1_MEDIA_TYPE ||
    forced === DOCKER_V2S1_SIGNED_MEDIA_TYPE
  ) {
    return DOCKER_V2_LIST_MEDIA_TYPE;
  }
  return forced;
}

/** Whether `type` is Docker schema 1 (signed or not). */
export function isSchema1Type(type: string | undefined): boolean {
  return type === DOCKER_V2S1_MEDIA_TYPE || type === DOCKER_V2S1_SIGNED_MEDIA_TYPE;
}
