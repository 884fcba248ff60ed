import { type Digest, ImageError, parseDigest } from '@ferry/types';
import { type JsonObject, type JsonValue, parseStrictJson } from './strict-json.ts';

/** The `type` every simple-signing payload carries. */
export const SIMPLE_SIGNING_TYPE = 'atomic container signature';

/** The contents of a simple-signing ("atomic container signature") payload. */
export interface SimpleSigningPayload {
  /** `critical.identity.docker-reference`: the reference the signer claims for the image. */
  readonly dockerReference: string;
  /** `critical.image.docker-manifest-digest`. */
  readonly manifestDigest: Digest;
  /** `optional.creator`, free text naming the signing tool. */
  readonly creator?: string;
  /** `optional.timestamp`, seconds since the Unix epoch. */
  readonly timestamp?: number;
}

/**
 * Encodes a simple-signing payload as containers/image does: compact JSON with keys in sorted order and
 * `<`, `>`, `&`, U+2028 and U+2029 escaped (Go's `json.Marshal`), so that our payloads are byte-identical to
 * c/image's for the same values. `optional` is always present, possibly empty.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for an empty reference or a non-integer timestamp.
 * @example
 * ```ts
 * const payload = encodeSimpleSigningPayload({
 *   dockerReference: 'docker.io/library/busybox:latest',
 *   manifestDigest: manifestDigest(manifest),
 *   creator: 'ferry',
 *   timestamp: Math.floor(Date.now() / 1000),
 * });
 * ```
 */
export function encodeSimpleSigningPayload(payload: SimpleSigningPayload): Uint8Array {
  if (payload.dockerReference === '') {
    throw new ImageError('ERR_INVALID_ARGUMENT', 'simple-signing payload needs a non-empty docker reference');
  }
  if (payload.timestamp !== undefined && !Number.isSafeInteger(payload.timestamp)) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `signature timestamp ${payload.timestamp} is not an integer`);
  }
  const optional: Record<string, string | number> = {};
  if (payload.creator !== undefined) optional.creator = payload.creator;
  if (payload.timestamp !== undefined) optional.timestamp = payload.timestamp;
  const document = {
    critical: {
      identity: { 'docker-reference': payload.dockerReference },
      image: { 'docker-manifest-digest': payload.manifestDigest },
      type: SIMPLE_SIGNING_TYPE,
    },
    optional,
  };
  return new TextEncoder().encode(goJsonEscape(JSON.stringify(document)));
}

/**
 * Parses a simple-signing payload as strictly as containers/image: the top level must have exactly
 * `critical` and `optional`; `critical` exactly `type`, `image` and `identity`, each of those exactly their
 * one field; `type` must be "atomic container signature"; the digest must be valid; `optional.creator` must be
 * a string and `optional.timestamp` an integer, while other `optional` fields are ignored. A key repeated in
 * an object is refused.
 *
 * @throws {@link ImageError} `ERR_SIGNATURE_INVALID` naming the faulty field.
 * @example
 * ```ts
 * const { dockerReference, manifestDigest } = parseSimpleSigningPayload(verifiedBytes);
 * ```
 */
export function parseSimpleSigningPayload(bytes: Uint8Array): SimpleSigningPayload {
  // a byte-order mark is kept, so that it is refused as Go's decoder refuses it
  const root = parseStrictJson(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes), (fault) =>
    invalid(`not valid JSON: ${fault.message}`),
  );
  const top = exactObject(root, 'the payload', ['critical', 'optional']);
  const critical = exactObject(top.get('critical'), 'critical', ['type', 'image', 'identity']);
  const optional = objectOf(top.get('optional'), 'optional');
  const type = stringOf(critical.get('type'), 'critical.type');
  if (type !== SIMPLE_SIGNING_TYPE) throw invalid(`unrecognized signature type ${JSON.stringify(type)}`);
  const image = exactObject(critical.get('image'), 'critical.image', ['docker-manifest-digest']);
  const digestText = stringOf(image.get('docker-manifest-digest'), 'critical.image.docker-manifest-digest');
  let manifestDigest: Digest;
  try {
    manifestDigest = parseDigest(digestText);
  } catch (cause) {
    throw invalid(`invalid docker-manifest-digest ${JSON.stringify(digestText)}: ${(cause as Error).message}`, cause);
  }
  const identity = exactObject(critical.get('identity'), 'critical.identity', ['docker-reference']);
  const dockerReference = stringOf(identity.get('docker-reference'), 'critical.identity.docker-reference');
  let result: SimpleSigningPayload = { dockerReference, manifestDigest };
  if (optional.has('creator')) {
    result = { ...result, creator: stringOf(optional.get('creator'), 'optional.creator') };
  }
  if (optional.has('timestamp')) {
    const timestamp = optional.get('timestamp');
    if (typeof timestamp !== 'number') throw invalid(`optional.timestamp is ${describe(timestamp)}, not a number`);
    if (!Number.isSafeInteger(timestamp)) throw invalid(`optional.timestamp ${timestamp} is not an integer`);
    result = { ...result, timestamp };
  }
  return result;
}

function exactObject(value: JsonValue | undefined, where: string, fields: readonly string[]): JsonObject {
  const object = objectOf(value, where);
  for (const key of object.keys()) {
    if (!fields.includes(key)) throw invalid(`unknown field ${JSON.stringify(key)} in ${where}`);
  }
  for (const field of fields) {
    if (!object.has(field)) throw invalid(`field ${JSON.stringify(field)} missing in ${where}`);
  }
  return object;
}

function objectOf(value: JsonValue | undefined, where: string): JsonObject {
  if (!(value instanceof Map)) throw invalid(`${where} is ${describe(value)}, not a JSON object`);
  return value;
}

function stringOf(value: JsonValue | undefined, where: string): string {
  if (typeof value !== 'string') throw invalid(`${where} is ${describe(value)}, not a string`);
  return value;
}

function describe(value: JsonValue | undefined): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return value instanceof Map ? 'an object' : `a ${typeof value}`;
}

function invalid(what: string, cause?: unknown): ImageError {
  return new ImageError('ERR_SIGNATURE_INVALID', `invalid simple-signing payload: ${what}`, { cause });
}

// Go's encoding/json escapes these for safe embedding in HTML; JSON.stringify does not
function goJsonEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
