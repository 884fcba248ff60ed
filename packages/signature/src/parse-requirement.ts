import { resolve } from 'node:path';
import { DEFAULT_SIGNED_IDENTITY, parseSignedIdentity } from './parse-signed-identity.ts';
import { allowFields, expectArray, expectObject, expectString, policyError } from './policy-json.ts';
import type {
  FulcioTrust,
  KeySource,
  PolicyRequirement,
  SignedByRequirement,
  SignedIdentity,
  SigstoreSignedRequirement,
  UnimplementedRequirement,
} from './policy-types.ts';
import type { JsonObject, JsonPath, JsonValue } from './strict-json.ts';

/** Key types containers/image knows but does not implement: they load, and reject every image. */
const UNIMPLEMENTED_KEY_TYPES = ['signedByGPGKeys', 'X509Certificates', 'signedByX509CAs'];
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** The names a requirement gives its key source fields. */
interface KeyFields {
  readonly path: string;
  readonly paths?: string;
  readonly data: string;
  readonly datas?: string;
}

/**
 * Parses one requirement of a policy scope strictly (containers-policy.json(5)): unknown fields, unknown types,
 * unsupported key types and anything but exactly one key source are errors. Relative key paths are resolved
 * against `baseDir`, as containers/image opens them relative to the working directory.
 *
 * @throws {@link ImageError} `ERR_INVALID_POLICY` naming the field path.
 * @example
 * ```ts
 * parseRequirement(readPolicyJson('{"type":"reject"}'), ['default', 0], process.cwd()); // { type: 'reject' }
 * ```
 */
export function parseRequirement(value: JsonValue, path: JsonPath, baseDir: string): PolicyRequirement {
  const fields = expectObject(value, path);
  const type = expectString(fields.get('type'), [...path, 'type']);
  switch (type) {
    case 'insecureAcceptAnything':
    case 'reject':
      allowFields(fields, path, ['type']);
      return { type };
    case 'signedBy':
      return parseSignedBy(fields, path, baseDir);
    case 'sigstoreSigned':
      return parseSigstoreSigned(fields, path, baseDir);
    case 'signedBaseLayer':
      // parsed as containers/image does, so a policy that has one loads; it rejects every image
      allowFields(fields, path, ['type', 'baseLayerIdentity']);
      parseSignedIdentity(expectObject(fields.get('baseLayerIdentity'), [...path, 'baseLayerIdentity']), [
        ...path,
        'baseLayerIdentity',
      ]);
      return { type: 'unimplemented', what: 'signedBaseLayer' };
    default:
      throw policyError([...path, 'type'], `unknown type ${JSON.stringify(type)}`);
  }
}

function parseSignedBy(
  fields: JsonObject,
  path: JsonPath,
  baseDir: string,
): SignedByRequirement | UnimplementedRequirement {
  allowFields(fields, path, ['type', 'keyType', 'keyPath', 'keyPaths', 'keyData', 'signedIdentity']);
  const keyType = expectString(fields.get('keyType'), [...path, 'keyType']);
  if (keyType !== 'GPGKeys' && !UNIMPLEMENTED_KEY_TYPES.includes(keyType)) {
    throw policyError([...path, 'keyType'], `unknown keyType ${JSON.stringify(keyType)}`);
  }
  const keys = parseKeySource(fields, path, baseDir, { path: 'keyPath', paths: 'keyPaths', data: 'keyData' });
  if (keys === undefined) throw policyError(path, 'exactly one of keyPath, keyPaths and keyData must be set, none is');
  const identity = signedIdentity(fields, path);
  // containers/image accepts these key types in a policy and rejects every image they would judge
  if (keyType !== 'GPGKeys') return { type: 'unimplemented', what: `signedBy with keyType ${JSON.stringify(keyType)}` };
  return { type: 'signedBy', keyType, keys, signedIdentity: identity };
}

function parseSigstoreSigned(fields: JsonObject, path: JsonPath, baseDir: string): SigstoreSignedRequirement {
  if (fields.has('pki')) throw policyError([...path, 'pki'], 'not supported');
  const keyFields = { path: 'keyPath', paths: 'keyPaths', data: 'keyData', datas: 'keyDatas' };
  const rekorFields = {
    path: 'rekorPublicKeyPath',
    paths: 'rekorPublicKeyPaths',
    data: 'rekorPublicKeyData',
    datas: 'rekorPublicKeyDatas',
  };
  allowFields(fields, path, [
    'type',
    ...Object.values(keyFields),
    'fulcio',
    ...Object.values(rekorFields),
    'signedIdentity',
  ]);
  const keys = parseKeySource(fields, path, baseDir, keyFields);
  const fulcioValue = fields.get('fulcio');
  const oneOf = 'exactly one of keyPath, keyPaths, keyData, keyDatas and fulcio must be set';
  if (keys !== undefined && fulcioValue !== undefined) throw policyError(path, `${oneOf}, more than one is`);
  if (keys === undefined && fulcioValue === undefined) throw policyError(path, `${oneOf}, none is`);
  const rekorPublicKeys = parseKeySource(fields, path, baseDir, rekorFields);
  const identity = signedIdentity(fields, path);
  if (keys !== undefined) {
    return rekorPublicKeys === undefined
      ? { type: 'sigstoreSigned', keys, signedIdentity: identity }
      : { type: 'sigstoreSigned', keys, rekorPublicKeys, signedIdentity: identity };
  }
  const fulcio = parseFulcio(fulcioValue ?? null, [...path, 'fulcio'], baseDir);
  if (rekorPublicKeys === undefined) {
    throw policyError(
      path,
      'fulcio needs one of rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and rekorPublicKeyDatas',
    );
  }
  return { type: 'sigstoreSigned', fulcio, rekorPublicKeys, signedIdentity: identity };
}

function parseFulcio(value: JsonValue, path: JsonPath, baseDir: string): FulcioTrust {
  const fields = expectObject(value, path);
  allowFields(fields, path, ['caPath', 'caData', 'oidcIssuer', 'subjectEmail']);
  const ca = parseKeySource(fields, path, baseDir, { path: 'caPath', data: 'caData' });
  if (ca === undefined) throw policyError(path, 'exactly one of caPath and caData must be set, none is');
  const oidcIssuer = nonEmptyString(fields.get('oidcIssuer'), [...path, 'oidcIssuer']);
  const subjectEmail = nonEmptyString(fields.get('subjectEmail'), [...path, 'subjectEmail']);
  return { ca, oidcIssuer, subjectEmail };
}

function signedIdentity(fields: JsonObject, path: JsonPath): SignedIdentity {
  const value = fields.get('signedIdentity');
  return value === undefined ? DEFAULT_SIGNED_IDENTITY : parseSignedIdentity(value, [...path, 'signedIdentity']);
}

/** The one key source among `names` that is present; `undefined` when none is; an error when several are. */
function parseKeySource(fields: JsonObject, path: JsonPath, baseDir: string, names: KeyFields): KeySource | undefined {
  const present = Object.values(names).filter((name) => fields.has(name));
  if (present.length > 1) {
    throw policyError(path, `only one of ${present.join(', ')} may be set`);
  }
  const [name] = present;
  if (name === undefined) return undefined;
  const at = [...path, name];
  const value = fields.get(name) ?? null;
  if (name === names.path) return { kind: 'path', path: keyPath(value, at, baseDir) };
  if (name === names.paths) {
    return { kind: 'paths', paths: nonEmptyArray(value, at).map((item, i) => keyPath(item, [...at, i], baseDir)) };
  }
  if (name === names.data) return { kind: 'data', data: base64(value, at) };
  return { kind: 'datas', datas: nonEmptyArray(value, at).map((item, i) => base64(item, [...at, i])) };
}

function keyPath(value: JsonValue, path: JsonPath, baseDir: string): string {
  return resolve(baseDir, nonEmptyString(value, path));
}

/** Base64 as Go's encoding/json decodes `[]byte`: standard alphabet, padded, line breaks ignored. */
function base64(value: JsonValue, path: JsonPath): Uint8Array {
  const text = nonEmptyString(value, path).replace(/[\r\n]/g, '');
  if (text.length % 4 !== 0 || !BASE64_RE.test(text)) throw policyError(path, 'not valid base64');
  const bytes = Buffer.from(text, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function nonEmptyString(value: JsonValue | undefined, path: JsonPath): string {
  const text = expectString(value, path);
  if (text === '') throw policyError(path, 'must not be empty');
  return text;
}

function nonEmptyArray(value: JsonValue, path: JsonPath): readonly JsonValue[] {
  const items = expectArray(value, path);
  if (items.length === 0) throw policyError(path, 'must not be empty');
  return items;
}
