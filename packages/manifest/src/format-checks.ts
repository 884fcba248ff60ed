import { ImageError } from '@ferry/types';
import { invalid, type JsonObject, jsonType } from './json-fields.ts';

/** The "essential" fields that identify a manifest format; see {@link checkUnambiguous}. */
export type FormatField = 'config' | 'fsLayers' | 'history' | 'layers' | 'manifests';

const FORMAT_FIELDS: readonly FormatField[] = ['config', 'fsLayers', 'history', 'layers', 'manifests'];

/**
 * Rejects a document that also looks like another format, as containers/image's
 * `validateUnambiguousManifestFormat` does: any essential field (present and not `null`) other than the
 * `allowed` ones makes it ambiguous, e.g. an OCI manifest carrying `manifests`, an index carrying `layers`.
 * Call it after the version and media type checks, so that plainly wrong input gets a plainer message.
 */
export function checkUnambiguous(root: JsonObject, expected: string, allowed: readonly FormatField[]): void {
  const unexpected = FORMAT_FIELDS.filter(
    (field) => !allowed.includes(field) && root[field] !== undefined && root[field] !== null,
  );
  if (unexpected.length > 0) {
    invalid(unexpected.join(', '), `rejecting ambiguous manifest: unexpected field(s) in supposedly ${expected}`);
  }
}

/**
 * Checks the document's own `mediaType` field against the type it is parsed as. A mismatch is
 * `ERR_UNSUPPORTED_MEDIA_TYPE`; a missing field is an error only when `required`.
 */
export function checkMediaTypeField(root: JsonObject, expected: string, required: boolean): void {
  const value = root.mediaType;
  if (value === undefined || value === null) {
    if (required) invalid('mediaType', `required in ${expected}`);
    return;
  }
  if (typeof value !== 'string') invalid('mediaType', `expected a string, got ${jsonType(value)}`);
  if (value !== expected) {
    throw new ImageError(
      'ERR_UNSUPPORTED_MEDIA_TYPE',
      `mediaType: the document says ${JSON.stringify(value)} but is parsed as ${expected}`,
    );
  }
}
