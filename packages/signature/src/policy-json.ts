import { ImageError } from '@ferry/types';

/** A JSON value as the strict policy reader returns it: objects are Maps, so no key can collide with a prototype. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
/** A JSON object, keys in document order. */
export type JsonObject = ReadonlyMap<string, JsonValue>;
/** Where a value sits in the policy document: object keys and array indexes from the root. */
export type JsonPath = readonly (string | number)[];

const MAX_DEPTH = 64;
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
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
 * Parses JSON text strictly, as containers/image's paranoid decoder does: a duplicated key anywhere is an error
 * (`JSON.parse` would silently keep the last one), and nothing may follow the top-level value.
 *
 * @throws {@link ImageError} `ERR_INVALID_POLICY` naming the line and column, or the path of a duplicated key.
 * @example
 * ```ts
 * readStrictJson('{"default":[{"type":"reject"}]}').get('default'); // [Map { 'type' => 'reject' }]
 * ```
 */
export function readStrictJson(text: string): JsonValue {
  const reader = new StrictJsonReader(text);
  const value = reader.value([], 0);
  reader.end();
  return value;
}

class StrictJsonReader {
  private pos = 0;
  constructor(private readonly text: string) {}

  value(path: (string | number)[], depth: number): JsonValue {
    if (depth > MAX_DEPTH) throw policyError(path, `invalid JSON: nested deeper than ${MAX_DEPTH} levels`);
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object(path, depth);
    if (c === '[') return this.array(path, depth);
    if (c === '"') return this.string();
    if (this.literal('true')) return true;
    if (this.literal('false')) return false;
    if (this.literal('null')) return null;
    NUMBER_RE.lastIndex = this.pos;
    const match = NUMBER_RE.exec(this.text);
    if (match !== null) {
      this.pos += match[0].length;
      return Number(match[0]);
    }
    throw this.syntax(c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`);
  }

  end(): void {
    this.skipSpace();
    if (this.pos < this.text.length) throw this.syntax('unexpected data after the top-level value');
  }

  private object(path: (string | number)[], depth: number): JsonObject {
    const result = new Map<string, JsonValue>();
    this.pos++;
    this.skipSpace();
    if (this.eat('}')) return result;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') throw this.syntax('expected a string key');
      const key = this.string();
      if (result.has(key)) throw policyError([...path, key], 'duplicate key');
      this.skipSpace();
      if (!this.eat(':')) throw this.syntax("expected ':'");
      result.set(key, this.value([...path, key], depth + 1));
      this.skipSpace();
      if (this.eat('}')) return result;
      if (!this.eat(',')) throw this.syntax("expected ',' or '}'");
    }
  }

  private array(path: (string | number)[], depth: number): JsonValue[] {
    const result: JsonValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.eat(']')) return result;
    for (;;) {
      result.push(this.value([...path, result.length], depth + 1));
      this.skipSpace();
      if (this.eat(']')) return result;
      if (!this.eat(',')) throw this.syntax("expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.pos++;
    for (;;) {
      const code = this.text.charCodeAt(this.pos);
      if (Number.isNaN(code)) throw this.syntax('unterminated string');
      if (code < 0x20) throw this.syntax('control character in string');
      this.pos++;
      if (code === 0x5c)
        this.pos++; // a backslash escapes the next character; JSON.parse checks the escape
      else if (code === 0x22) break;
    }
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch (cause) {
      throw this.syntax('invalid string escape', cause);
    }
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    this.pos += word.length;
    return true;
  }

  private eat(c: string): boolean {
    if (this.text[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  private skipSpace(): void {
    while (/[ \t\n\r]/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private syntax(problem: string, cause?: unknown): ImageError {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - before.lastIndexOf('\n');
    return policyError([], `invalid JSON at line ${line}, column ${column}: ${problem}`, cause);
  }
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
