import { createHash, type KeyObject, verify } from 'node:crypto';
import { ImageError } from '@ferry/types';
import { json } from '@sigstore/core';
import { decodePemBlock } from './sigstore-pem.ts';
import { type JsonObject, type JsonValue, parseStrictJson } from './strict-json.ts';

/** The hashedrekord API version containers/image accepts in a SET. */
const HASHEDREKORD_VERSION = '0.0.1';

/** What {@link verifyRekorSet} checks a Rekor SET against. */
export interface RekorSetInput {
  /** Trusted Rekor public keys (ECDSA); any may have signed the SET. */
  readonly rekorPublicKeys: readonly KeyObject[];
  /** The `dev.sigstore.cosign/bundle` annotation: `{"SignedEntryTimestamp", "Payload"}`. */
  readonly set: string;
  /** The PEM public key or certificate the log entry must name (its first block is compared). */
  readonly keyOrCertificatePem: string;
  /** The `dev.cosignproject.cosign/signature` annotation. */
  readonly base64Signature: string;
  /** The signed payload bytes. */
  readonly payload: Uint8Array;
}

/**
 * Verifies a Rekor signed entry timestamp as containers/image's `VerifyRekorSET` does: the SET's signature
 * over the canonical JSON of its payload by one of the Rekor keys, then the logged hashedrekord entry must
 * name the same key or certificate, the same signature and the SHA-256 of the same payload.
 *
 * @returns the time the entry was integrated into the log.
 * @throws {@link ImageError} `ERR_SIGNATURE_INVALID` naming the first check that failed.
 * @example
 * ```ts
 * const integrated = verifyRekorSet({ rekorPublicKeys, set, keyOrCertificatePem, base64Signature, payload });
 * ```
 */
export function verifyRekorSet(input: RekorSetInput): Date {
  const set = parseJson(input.set, 'Rekor SET');
  const setObject = exact(set, ['SignedEntryTimestamp', 'Payload'], 'Rekor SET');
  const setSignature = bytes(setObject.get('SignedEntryTimestamp'), 'SignedEntryTimestamp');
  // what Rekor signed is the canonical (RFC 8785) form of the payload, however it was delivered
  const canonical = Buffer.from(json.canonicalize(plain(setObject.get('Payload'))), 'utf8');
  if (!input.rekorPublicKeys.some((key) => verifies(key, canonical, setSignature))) {
    throw invalid('cryptographic signature verification of Rekor SET failed');
  }
  const rekorPayload = exact(
    parseJson(canonical.toString('utf8'), 'Rekor SET payload'),
    ['body', 'integratedTime', 'logIndex', 'logID'],
    'Rekor SET payload',
  );
  const integratedTime = integer(rekorPayload.get('integratedTime'), 'integratedTime');
  integer(rekorPayload.get('logIndex'), 'logIndex');
  if (typeof rekorPayload.get('logID') !== 'string') throw invalid('Rekor SET payload: logID is not a string');
  const body = object(parseJson(bytes(rekorPayload.get('body'), 'body').toString('utf8'), 'Rekor SET body'), 'body');
  const kind = body.get('kind');
  if (kind !== 'hashedrekord') throw invalid(`invalid kind value: ${JSON.stringify(kind)}`);
  const apiVersion = body.get('apiVersion');
  if (apiVersion === undefined || apiVersion === null) {
    throw invalid('missing Rekor SET Payload API version');
  }
  if (apiVersion !== HASHEDREKORD_VERSION) {
    throw invalid(`unsupported Rekor SET Payload hashedrekord version ${JSON.stringify(apiVersion)}`);
  }
  const spec = object(body.get('spec'), 'hashedrekord spec');
  matchKeyOrCertificate(spec, input.keyOrCertificatePem);
  matchSignature(spec, input.base64Signature);
  matchPayload(spec, input.payload);
  return new Date(integratedTime * 1000);
}

function matchKeyOrCertificate(spec: JsonObject, keyOrCertificatePem: string): void {
  const signature = member(spec, 'signature', 'signature');
  const publicKey = member(signature, 'publicKey', 'signature.publicKey');
  const logged = decodePemBlock(bytes(publicKey.get('content'), 'signature.publicKey.content').toString('utf8'));
  if (logged === undefined) throw invalid('publicKey in Rekor SET is not in PEM format');
  if (logged.rest.length !== 0) throw invalid('publicKey in Rekor SET has trailing data');
  const ours = decodePemBlock(keyOrCertificatePem);
  if (ours === undefined) {
    throw invalid('public key or cert to be matched against publicKey in Rekor SET is not in PEM format');
  }
  if (ours.rest.length !== 0) {
    throw invalid('public key or cert to be matched against publicKey in Rekor SET has trailing data');
  }
  // as in containers/image, the PEM contents are compared, not their type lines
  if (!Buffer.from(logged.block.der).equals(Buffer.from(ours.block.der))) {
    throw invalid('publicKey in Rekor SET does not match');
  }
}

function matchSignature(spec: JsonObject, base64Signature: string): void {
  const logged = bytes(member(spec, 'signature', 'signature').get('content') ?? '', 'signature.content');
  if (!logged.equals(strictBase64(base64Signature, 'signature')))
    throw invalid('signature in Rekor SET does not match');
}

function matchPayload(spec: JsonObject, payload: Uint8Array): void {
  const hash = member(member(spec, 'data', 'data'), 'hash', 'data.hash');
  const algorithm = hash.get('algorithm');
  if (algorithm === undefined || algorithm === null)
    throw invalid('missing "data.hash.algorithm" field in hashedrekord');
  if (algorithm !== 'sha256') throw invalid(`unexpected "data.hash.algorithm" value ${JSON.stringify(algorithm)}`);
  const value = hash.get('value');
  if (value === undefined || value === null) throw invalid('missing "data.hash.value" field in hashedrekord');
  if (typeof value !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(value)) {
    throw invalid('invalid "data.hash.value" field in hashedrekord');
  }
  if (value.toLowerCase() !== createHash('sha256').update(payload).digest('hex')) {
    throw invalid('payload in Rekor SET does not match');
  }
}

function verifies(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return verify('sha256', data, key, signature);
  } catch {
    return false;
  }
}

function parseJson(text: string, what: string): JsonValue {
  return parseStrictJson(text, (fault) => invalid(`${what} is not valid JSON: ${fault.message}`));
}

// @sigstore/core canonicalizes plain objects; a null prototype keeps a key such as __proto__ plain data
function plain(value: JsonValue | undefined): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (!(value instanceof Map)) return value;
  const result: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, member] of value) result[key] = plain(member);
  return result;
}

function object(value: JsonValue | undefined, what: string): JsonObject {
  if (!(value instanceof Map)) throw invalid(`${what}: JSON object expected`);
  return value;
}

function member(parent: JsonObject, key: string, what: string): JsonObject {
  const value = parent.get(key);
  if (value === undefined || value === null) throw invalid(`missing "${what}" field in hashedrekord`);
  return object(value, what);
}

function exact(value: JsonValue, keys: readonly string[], what: string): JsonObject {
  const result = object(value, what);
  for (const key of result.keys()) {
    if (!keys.includes(key)) throw invalid(`${what}: unknown key ${JSON.stringify(key)}`);
  }
  for (const key of keys) if (!result.has(key)) throw invalid(`${what}: key ${JSON.stringify(key)} missing`);
  return result;
}

function integer(value: JsonValue | undefined, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw invalid(`Rekor SET payload: ${what} is not an integer`);
  return value;
}

// Go decodes a JSON string into []byte as standard, padded base64
function bytes(value: JsonValue | undefined, what: string): Buffer {
  if (typeof value !== 'string') throw invalid(`${what} is not a base64 string`);
  return strictBase64(value, what);
}

function strictBase64(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw invalid(`${what} is not valid base64`);
  return Buffer.from(text, 'base64');
}

function invalid(message: string, cause?: unknown): ImageError {
  return new ImageError('ERR_SIGNATURE_INVALID', message, cause === undefined ? undefined : { cause });
}
