import { ImageError } from '@ferry/types';
import { type JsonObject, type JsonPath, type JsonValue, parseStrictJson } from './strict-json.ts';

const PLAIN_KEY_RE = /^[A-Za-z_][\w-]*$/;

/**
 * Renders a path the way policy errors name fields: `transports.docker["example.com"][0].keyPath`.
 *
 * @example
 * ```ts
 * formatPath(['transports', 'docker', 'example.com', 0]); // 'transports.docker["example.com"][0]'
 * ```
 */
export function formatPath(path: JsonPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY_RE.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/**
 * The error every policy problem becomes: `ERR_INVALID_POLICY`, its message naming the field path.
 *
 * @example
 * ```ts
 * throw policyError(['default', 0, 'type'], 'unknown type "foo"');
 * ```
 */
export function policyError(path: JsonPath, problem: string, cause?: unknown): ImageError {
  const where = path.length === 0 ? '' : `${formatPath(path)}: `;
  return new ImageError('ERR_INVALID_POLICY', `policy: ${where}${problem}`, cause === undefined ? {} : { cause });
}

/**
 * Parses a policy document with {@link parseStrictJson}: a duplicated key anywhere is an error, named by its
 * path, and nothing may follow the top-level value.
 *
 * @throws {@link ImageError} `ERR_INVALID_POLICY` naming the line and column, or the path of a duplicated key.
 * @example
 * ```ts
 * readPolicyJson('{"default":[{"type":"reject"}]}').get('default'); // [Map { 'type' => 'reject' }]
 * ```
 */
export function readPolicyJson(text: string): JsonValue {
  return parseStrictJson(text, (fault) =>
    fault.kind === 'duplicate-key' ? policyError(fault.path, 'duplicate key') : policyError([], fault.message),
  );
}

/**
 * Narrows a value to a JSON object, naming `path` when it is not one.
 *
 * @throws {@link ImageError} `ERR_INVALID_POLICY`.
 * @example
 * ```ts
 * const fields = expectObject(value, ['default', 0]);
 * ```
 */
export function expectObject(value: JsonValue | undefined, path: JsonPath): JsonObject {
  if (value instanceof Map) return value;
  if (value === undefined) throw policyError(path, 'required field missing');
  throw policyError(path, `must be a JSON object, not ${describeJson(value)}`);
}

/**
 * Narrows a value to a JSON array, naming `path` when it is not one.
 *
 * @throws {@link ImageError} `ERR_INVALID_POLICY`.
 * @example
 * ```ts
 * const items = expectArray(value, ['default']);
 * ```
 */
export function expectArray(value: JsonValue | undefined, path: JsonPath): readonly JsonValue[] {
  if (Array.isArray(value)) return value;
  if (value === undefined) throw policyError(path, 'required field missing');
  throw policyError(path, `must be a JSON array, not ${describeJson(value)}`);
}

/**
 * Narrows a value to a string, naming `path` when it is not one.
 *
 * @throws {@link ImageError} `ERR_INVALID_POLICY`.
 * @example
 * ```ts
 * const type = expectString(fields.get('type'), ['default', 0, 'type']);
 * ```
 */
export function expectString(value: JsonValue | undefined, path: JsonPath): string {
  if (typeof value === 'string') return value;
  if (value === undefined) throw policyError(path, 'required field missing');
  throw policyError(path, `must be a string, not ${describeJson(value)}`);
}

/**
 * Refuses any field of `object` not in `allowed`: a typo in a security policy must not be ignored.
 *
 * @throws {@link ImageError} `ERR_INVALID_POLICY` naming the first unknown field.
 * @example
 * ```ts
 * allowFields(fields, ['default', 0], ['type']);
 * ```
 */
export function allowFields(object: JsonObject, path: JsonPath, allowed: readonly string[]): void {
  for (const key of object.keys()) {
    if (!allowed.includes(key)) throw policyError([...path, key], 'unknown field');
  }
}

function describeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Map) return 'an object';
  return `a ${typeof value}`;
}
