import { MANIFEST_LIMIT } from '@ferry/blob';
import { ImageError } from '@ferry/types';
import { isJsonObject, type JsonObject, jsonType } from './json-fields.ts';

/**
 * Decodes a small JSON document (manifest, config) after checking its size against {@link MANIFEST_LIMIT}.
 * Invalid UTF-8 and a byte-order mark are rejected, as Go's decoder does.
 *
 * @throws {@link ImageError} `ERR_TOO_LARGE` past 4 MiB, `ERR_INVALID_MANIFEST` for anything but a JSON object.
 */
export function parseJsonObject(bytes: Uint8Array, what: string): JsonObject {
  if (bytes.byteLength > MANIFEST_LIMIT) {
    throw new ImageError(
      'ERR_TOO_LARGE',
      `${what} is ${bytes.byteLength} bytes, over the ${MANIFEST_LIMIT}-byte limit`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new ImageError('ERR_INVALID_MANIFEST', `${what}: not valid UTF-8`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ImageError('ERR_INVALID_MANIFEST', `${what}: not valid JSON`, { cause });
  }
  if (!isJsonObject(value)) {
    throw new ImageError('ERR_INVALID_MANIFEST', `${what}: expected a JSON object, got ${jsonType(value)}`);
  }
  return value;
}

/** Like {@link parseJsonObject} but returns `undefined` instead of throwing (for guessing). */
export function tryParseJsonObject(bytes: Uint8Array): JsonObject | undefined {
  try {
    return parseJsonObject(bytes, 'document');
  } catch {
    return undefined;
  }
}
