import type { ImageError } from '@ferry/types';

/** A JSON value as {@link parseStrictJson} returns it: objects are Maps, so no key can collide with a prototype. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
/** A JSON object, keys in document order. */
export type JsonObject = ReadonlyMap<string, JsonValue>;
/** Where a value sits in a JSON document: object keys and array indexes from the root. */
export type JsonPath = readonly (string | number)[];

/** Why {@link parseStrictJson} refused a text; the caller turns it into its own {@link ImageError}. */
export interface StrictJsonFault {
  /** `duplicate-key` for a key repeated within one object, `syntax` for anything else. */
  readonly kind: 'syntax' | 'duplicate-key';
  /** The value being read when the fault was found; for a duplicate key, the path of that key. */
  readonly path: JsonPath;
  /** What was wrong and where, e.g. `invalid JSON at line 2, column 8: unexpected character "t"`. */
  readonly message: string;
}

// deep nesting is never legitimate in a policy or a payload; the bound keeps the recursion off the stack limit
const MAX_DEPTH = 100;
const NUMBER = '-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?';

/**
 * Parses JSON text like `JSON.parse`, but strictly, as containers/image's "paranoid" decoding does: a key
 * repeated within any object is refused (`JSON.parse` would silently keep the last one), as is anything
 * after the top-level value, a byte-order mark, or nesting deeper than 100 levels. Signatures and policies
 * must have one meaning only.
 *
 * @param refuse makes the error to throw, so that each caller reports with its own code and wording.
 * @throws the {@link ImageError} `refuse` returns.
 * @example
 * ```ts
 * const fail = (fault: StrictJsonFault) => new ImageError('ERR_SIGNATURE_INVALID', fault.message);
 * (parseStrictJson('{"a":[1]}', fail) as JsonObject).get('a'); // [1]
 * parseStrictJson('{"a":1,"a":2}', fail); // throws: duplicate key "a" at line 1, column 11
 * ```
 */
export function parseStrictJson(text: string, refuse: (fault: StrictJsonFault) => ImageError): JsonValue {
  const reader = new StrictJsonReader(text, refuse);
  const value = reader.value(0);
  reader.end();
  return value;
}

class StrictJsonReader {
  private pos = 0;
  // the path of the value being read, kept as a stack so that reading allocates nothing per value
  private readonly path: (string | number)[] = [];
  // a sticky expression carries lastIndex: one per reader, never shared between calls
  private readonly number = new RegExp(NUMBER, 'y');

  constructor(
    private readonly text: string,
    private readonly refuse: (fault: StrictJsonFault) => ImageError,
  ) {}

  value(depth: number): JsonValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if ((c === '{' || c === '[') && depth >= MAX_DEPTH) throw this.syntax(`nested deeper than ${MAX_DEPTH} levels`);
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (this.literal('true')) return true;
    if (this.literal('false')) return false;
    if (this.literal('null')) return null;
    this.number.lastIndex = this.pos;
    const match = this.number.exec(this.text);
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

  private object(depth: number): JsonObject {
    const result = new Map<string, JsonValue>();
    this.pos++;
    this.skipSpace();
    if (this.eat('}')) return result;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') throw this.syntax('expected a string key');
      const key = this.string();
      this.path.push(key);
      if (result.has(key)) throw this.fault('duplicate-key', `duplicate key ${JSON.stringify(key)}`);
      this.skipSpace();
      if (!this.eat(':')) throw this.syntax("expected ':'");
      result.set(key, this.value(depth + 1));
      this.path.pop();
      this.skipSpace();
      if (this.eat('}')) return result;
      if (!this.eat(',')) throw this.syntax("expected ',' or '}'");
    }
  }

  private array(depth: number): JsonValue[] {
    const result: JsonValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.eat(']')) return result;
    for (;;) {
      this.path.push(result.length);
      result.push(this.value(depth + 1));
      this.path.pop();
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
    } catch {
      this.pos = start;
      throw this.syntax('invalid string escape');
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
    for (;;) {
      const c = this.text[this.pos];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return;
      this.pos++;
    }
  }

  private syntax(problem: string): ImageError {
    return this.fault('syntax', problem);
  }

  private fault(kind: StrictJsonFault['kind'], problem: string): ImageError {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - before.lastIndexOf('\n');
    const where = `at line ${line}, column ${column}`;
    const message = kind === 'syntax' ? `invalid JSON ${where}: ${problem}` : `${problem} ${where}`;
    return this.refuse({ kind, path: [...this.path], message });
  }
}
