import { ImageError } from '@ferry/types';
import { guessMediaType } from './guess-media-type.ts';
import type { Manifest } from './manifest-types.ts';
import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S1_MEDIA_TYPE,
  DOCKER_V2S1_SIGNED_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  isManifestMediaType,
  type ManifestMediaType,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from './media-types.ts';
import { essenceOfMediaType } from './normalize-media-type.ts';
import { parseDockerSchema2, parseOciManifest } from './parse-image-manifest.ts';
import { parseJsonObject } from './parse-json.ts';
import { parseDockerManifestList, parseOciIndex } from './parse-list.ts';
import { parseDockerSchema1 } from './parse-schema1.ts';

// Types a server sends when it does not know better; with them the content decides.
const UNINFORMATIVE_TYPES: readonly string[] = ['', 'application/json', 'text/plain', 'application/octet-stream'];

/**
 * Parses and validates any manifest into a typed, frozen value that keeps the original bytes and the digest.
 * `mediaType` is the out-of-band type (e.g. a `Content-Type`); when it is absent or uninformative
 * (`application/json`, `text/plain`, `application/octet-stream`) the type is guessed from the content with
 * {@link guessMediaType}. A declared type that is no manifest type is refused rather than mapped to schema 1.
 * The document's own `mediaType` field must agree with the type it is parsed as.
 *
 * @throws {@link ImageError} `ERR_UNSUPPORTED_MEDIA_TYPE` for an unknown or mismatching type, `ERR_TOO_LARGE`
 * over 4 MiB, `ERR_INVALID_DIGEST` or `ERR_INVALID_MANIFEST` naming the field that is wrong.
 * @example
 * ```ts
 * const m = parseManifest(bytes, 'application/vnd.oci.image.manifest.v1+json');
 * if (m.kind === 'oci-manifest') console.log(m.layers.map((l) => l.digest));
 * ```
 */
export function parseManifest(bytes: Uint8Array, mediaType?: string): Manifest {
  // size and syntax errors come first, whatever the type
  parseJsonObject(bytes, 'manifest');
  switch (resolveMediaType(bytes, mediaType)) {
    case DOCKER_V2S1_MEDIA_TYPE:
    case DOCKER_V2S1_SIGNED_MEDIA_TYPE:
      return parseDockerSchema1(bytes);
    case DOCKER_V2S2_MEDIA_TYPE:
      return parseDockerSchema2(bytes);
    case OCI_MANIFEST_MEDIA_TYPE:
      return parseOciManifest(bytes);
    case DOCKER_V2_LIST_MEDIA_TYPE:
      return parseDockerManifestList(bytes);
    case OCI_INDEX_MEDIA_TYPE:
      return parseOciIndex(bytes);
  }
}

function resolveMediaType(bytes: Uint8Array, declared: string | undefined): ManifestMediaType {
  const essence = essenceOfMediaType(declared ?? '');
  if (isManifestMediaType(essence)) return essence;
  if (!UNINFORMATIVE_TYPES.includes(essence)) {
    throw new ImageError('ERR_UNSUPPORTED_MEDIA_TYPE', `unsupported manifest media type ${JSON.stringify(declared)}`);
  }
  const guessed = guessMediaType(bytes);
  if (guessed === '') {
    const declaredText = declared === undefined ? 'none declared' : `declared ${JSON.stringify(declared)}`;
    throw new ImageError(
      'ERR_UNSUPPORTED_MEDIA_TYPE',
      `mediaType: cannot tell the manifest type from its content (${declaredText})`,
    );
  }
  return guessed;
}
