import { type Digest, ImageError, isImageError, parseDigest } from '@ferry/types';

/** A parsed JSON object. */
export type JsonObject = Readonly<Record<string, unknown>>;

// Every reader takes the field's path (e.g. `layers[2].digest`) so that each error names the field.

/** Throws `ERR_INVALID_MANIFEST` naming `path`. */
export function invalid(path: string, problem: string, cause?: unknown): never {
  throw new ImageError('ERR_INVALID_MANIFEST', `${path}: ${problem}`, cause === undefined ? undefined : { cause });
}

/** Describes a JSON value's type for messages. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Tells whether `value` is a plain JSON object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Joins a parent path and a key. */
export function fieldPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** Reads `value` as an object. */
export function asObject(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) invalid(path, `expected an object, got ${jsonType(value)}`);
  return value;
}

/** Reads a required string. */
export function requiredString(obj: JsonObject, key: string, parent: string): string {
  const value = obj[key];
  if (typeof value !== 'string') invalid(fieldPath(parent, key), `expected a string, got ${jsonType(value)}`);
  return value;
}

/** Reads an optional string; `null` counts as absent, as Go's decoder treats it. */
export function optionalString(obj: JsonObject, key: string, parent: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') invalid(fieldPath(parent, key), `expected a string, got ${jsonType(value)}`);
  return value;
}

/** Reads an optional boolean. */
export function optionalBoolean(obj: JsonObject, key: string, parent: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') invalid(fieldPath(parent, key), `expected a boolean, got ${jsonType(value)}`);
  return value;
}

/** Reads a required size: a non-negative safe integer. */
export function requiredSize(obj: JsonObject, key: string, parent: string): number {
  const value = obj[key];
  const path = fieldPath(parent, key);
  if (typeof value !== 'number') invalid(path, `expected a size in bytes, got ${jsonType(value)}`);
  if (!Number.isSafeInteger(value) || value < 0) invalid(path, `size ${value} is not a non-negative safe integer`);
  return value;
}

/** Reads a required array. */
export function requiredArray(obj: JsonObject, key: string, parent: string): readonly unknown[] {
  const value = obj[key];
  if (!Array.isArray(value)) invalid(fieldPath(parent, key), `expected an array, got ${jsonType(value)}`);
  return value;
}

/** Reads an optional array; `null` counts as absent. */
export function optionalArray(obj: JsonObject, key: string, parent: string): readonly unknown[] | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) invalid(fieldPath(parent, key), `expected an array, got ${jsonType(value)}`);
  return value;
}

/** Reads an optional array of strings. */
export function optionalStringArray(obj: JsonObject, key: string, parent: string): readonly string[] | undefined {
  const items = optionalArray(obj, key, parent);
  if (items === undefined) return undefined;
  const path = fieldPath(parent, key);
  return Object.freeze(
    items.map((item, i) => {
      if (typeof item !== 'string') invalid(`${path}[${i}]`, `expected a string, got ${jsonType(item)}`);
      return item;
    }),
  );
}

/** Reads an optional map of strings (annotations, labels). */
export function optionalStringMap(
  obj: JsonObject,
  key: string,
  parent: string,
): Readonly<Record<string, string>> | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  const path = fieldPath(parent, key);
  const map = asObject(value, path);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'string') invalid(`${path}[${JSON.stringify(k)}]`, `expected a string, got ${jsonType(v)}`);
    out[k] = v;
  }
  return Object.freeze(out);
}

/** Reads a required digest, through `parseDigest`; the error keeps `ERR_INVALID_DIGEST` and names the field. */
export function requiredDigest(obj: JsonObject, key: string, parent: string): Digest {
  return digestAt(requiredString(obj, key, parent), fieldPath(parent, key));
}

/** Validates `text` as a digest, naming `path` in the error. */
export function digestAt(text: string, path: string): Digest {
  try {
    return parseDigest(text);
  } catch (error) {
    if (isImageError(error)) throw new ImageError('ERR_INVALID_DIGEST', `${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Reads the required `schemaVersion` and checks it. */
export function checkSchemaVersion(obj: JsonObject, want: number): void {
  const value = obj.schemaVersion;
  if (typeof value !== 'number') invalid('schemaVersion', `expected the number ${want}, got ${jsonType(value)}`);
  if (value !== want) invalid('schemaVersion', `expected ${want}, got ${value}`);
}
