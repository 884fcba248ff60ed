import { type Digest, ImageError, parseDigest } from '@ferry/types';
import { type JsonObject, type JsonValue, parseStrictJson } from './strict-json.ts';

/** The `critical.type` of a cosign container image signature payload. */
export const SIGSTORE_SIGNATURE_TYPE = 'cosign container image signature';

/** The content of a cosign "simple signing" payload (what a sigstore signature signs). Untrusted until verified. */
export interface SigstorePayload {
  /** `critical.identity.docker-reference`: the reference the signer claims, e.g. `quay.io/ns/app:v1`. */
  readonly dockerReference: string;
  /** `critical.image.docker-manifest-digest`. */
  readonly manifestDigest: Digest;
  /** `optional.creator`, e.g. `containers/image 5.23.1`. */
  readonly creator?: string;
  /** `optional.timestamp`, seconds since the epoch. */
  readonly timestamp?: number;
}

/**
 * Encodes a payload byte for byte as containers/image's `json.Marshal` does (keys sorted, HTML characters
 * escaped), so that a payload Ferry signs is the one skopeo would have signed.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for an empty reference or a non-integer timestamp.
 * @example
 * ```ts
 * const bytes = encodeSigstorePayload({ dockerReference: 'quay.io/ns/app:v1', manifestDigest, timestamp: 1700000000 });
 * ```
 */
export function encodeSigstorePayload(payload: SigstorePayload): Uint8Array {
  if (payload.dockerReference === '') {
    throw new ImageError('ERR_INVALID_ARGUMENT', 'a sigstore payload needs a docker reference');
  }
  if (payload.timestamp !== undefined && !Number.isSafeInteger(payload.timestamp)) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `sigstore payload timestamp ${payload.timestamp} is not an integer`);
  }
  const optional: string[] = [];
  if (payload.creator !== undefined) optional.push(`"creator":${goString(payload.creator)}`);
  if (payload.timestamp !== undefined) optional.push(`"timestamp":${payload.timestamp}`);
  const text =
    `{"critical":{"identity":{"docker-reference":${goString(payload.dockerReference)}},` +
    `"image":{"docker-manifest-digest":${goString(payload.manifestDigest)}},` +
    `"type":${goString(SIGSTORE_SIGNATURE_TYPE)}},"optional":{${optional.join(',')}}}`;
  return new TextEncoder().encode(text);
}

/**
 * Parses a payload as strictly as containers/image: exactly the `critical` and `optional` members, exactly
 * `type`/`image`/`identity` in `critical`, no repeated keys, the right type string, a valid digest, an
 * integer timestamp; `optional` may be `null` (cosign writes that) and may hold other members.
 *
 * @throws {@link ImageError} `ERR_SIGNATURE_INVALID` naming what is wrong.
 * @example
 * ```ts
 * const { dockerReference, manifestDigest } = parseSigstorePayload(signature.payload);
 * ```
 */
export function parseSigstorePayload(bytes: Uint8Array): SigstorePayload {
  let text: string;
  try {
    // a byte-order mark is kept, so that it is refused as Go's decoder refuses it
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw invalid(`sigstore payload is not valid JSON: ${(cause as Error).message}`, cause);
  }
  const value = parseStrictJson(text, (fault) => invalid(`sigstore payload is not valid JSON: ${fault.message}`));
  const top = exactObject(value, ['critical', 'optional'], 'sigstore payload');
  const optional = top.get('optional') === null ? undefined : object(top.get('optional'), 'optional');
  const critical = exactObject(top.get('critical'), ['type', 'image', 'identity'], 'critical');
  const type = string(critical.get('type'), 'critical.type');
  if (type !== SIGSTORE_SIGNATURE_TYPE) throw invalid(`unrecognized signature type ${JSON.stringify(type)}`);
  const image = exactObject(critical.get('image'), ['docker-manifest-digest'], 'critical.image');
  const digestText = string(image.get('docker-manifest-digest'), 'critical.image.docker-manifest-digest');
  let manifestDigest: Digest;
  try {
    manifestDigest = parseDigest(digestText);
  } catch (cause) {
    throw invalid(`invalid docker-manifest-digest value ${JSON.stringify(digestText)}`, cause);
  }
  const identity = exactObject(critical.get('identity'), ['docker-reference'], 'critical.identity');
  const dockerReference = string(identity.get('docker-reference'), 'critical.identity.docker-reference');
  const creator = optional?.get('creator');
  const timestamp = optional?.get('timestamp');
  if (timestamp !== undefined && (typeof timestamp !== 'number' || !Number.isInteger(timestamp))) {
    throw invalid('field optional.timestamp is not an integer');
  }
  return {
    dockerReference,
    manifestDigest,
    ...(creator !== undefined ? { creator: string(creator, 'optional.creator') } : {}),
    ...(timestamp !== undefined ? { timestamp } : {}),
  };
}

function object(value: JsonValue | undefined, what: string): JsonObject {
  if (!(value instanceof Map)) throw invalid(`${what}: JSON object expected`);
  return value;
}

function exactObject(value: JsonValue | undefined, keys: readonly string[], what: string): JsonObject {
  const result = object(value, what);
  for (const key of result.keys()) {
    if (!keys.includes(key)) throw invalid(`${what}: unknown key ${JSON.stringify(key)}`);
  }
  for (const key of keys) {
    if (!result.has(key)) throw invalid(`${what}: key ${JSON.stringify(key)} missing`);
  }
  return result;
}

function string(value: JsonValue | undefined, what: string): string {
  if (typeof value !== 'string') throw invalid(`${what} is not a string`);
  return value;
}

function invalid(message: string, cause?: unknown): ImageError {
  return new ImageError('ERR_SIGNATURE_INVALID', message, cause === undefined ? undefined : { cause });
}

// Go's encoding/json escapes <, >, & and the JavaScript line terminators inside strings
function goString(text: string): string {
  return JSON.stringify(text).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}
