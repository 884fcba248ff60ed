/** A JSON value as {@link parseStrictJson} returns it; objects have a null prototype. */
export type StrictJsonValue = null | boolean | number | string | StrictJsonValue[] | StrictJsonObject;

/** A JSON object with a null prototype, so that keys such as `__proto__` are plain data. */
export interface StrictJsonObject {
  [key: string]: StrictJsonValue;
}

/**
 * Parses JSON text like `JSON.parse`, but refuses a key repeated within one object (containers/image's
 * "paranoid" decoding does, and a signature payload must have one meaning only).
 *
 * @throws Error (a plain one: callers wrap it in their own `ImageError`) naming the position of the fault.
 * @example
 * ```ts
 * parseStrictJson('{"a":1,"a":2}'); // throws: duplicate key "a"
 * ```
 */
export function parseStrictJson(text: string): StrictJsonValue {
  const state = { text, at: 0 };
  skipSpace(state);
  const value = parseValue(state, 0);
  skipSpace(state);
  if (state.at !== text.length) fail(state, 'unexpected data after the JSON value');
  return value;
}

interface ParseState {
  readonly text: string;
  at: number;
}

// deep nesting is never legitimate in a payload; the bound keeps the recursion off the stack limit
const MAX_DEPTH = 100;
// sources, not RegExp objects: a sticky expression carries lastIndex, which must not be shared between calls
const NUMBER = '-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?';
const LITERALS: ReadonlyArray<readonly [string, StrictJsonValue]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];

function parseValue(state: ParseState, depth: number): StrictJsonValue {
  if (depth > MAX_DEPTH) fail(state, 'JSON nested too deeply');
  const c = state.text[state.at];
  if (c === '{') return parseObject(state, depth);
  if (c === '[') return parseArray(state, depth);
  if (c === '"') return parseString(state);
  for (const [word, value] of LITERALS) {
    if (state.text.startsWith(word, state.at)) {
      state.at += word.length;
      return value;
    }
  }
  const number = new RegExp(NUMBER, 'y');
  number.lastIndex = state.at;
  const match = number.exec(state.text);
  if (match === null) fail(state, 'expected a JSON value');
  state.at += match[0].length;
  return Number(match[0]);
}

function parseObject(state: ParseState, depth: number): StrictJsonObject {
  const result: StrictJsonObject = Object.create(null) as StrictJsonObject;
  state.at++;
  skipSpace(state);
  if (state.text[state.at] === '}') {
    state.at++;
    return result;
  }
  for (;;) {
    if (state.text[state.at] !== '"') fail(state, 'expected a string key');
    const key = parseString(state);
    if (Object.hasOwn(result, key)) fail(state, `duplicate key ${JSON.stringify(key)}`);
    skipSpace(state);
    expect(state, ':');
    skipSpace(state);
    result[key] = parseValue(state, depth + 1);
    skipSpace(state);
    if (state.text[state.at] === '}') {
      state.at++;
      return result;
    }
    expect(state, ',');
    skipSpace(state);
  }
}

function parseArray(state: ParseState, depth: number): StrictJsonValue[] {
  const result: StrictJsonValue[] = [];
  state.at++;
  skipSpace(state);
  if (state.text[state.at] === ']') {
    state.at++;
    return result;
  }
  for (;;) {
    result.push(parseValue(state, depth + 1));
    skipSpace(state);
    if (state.text[state.at] === ']') {
      state.at++;
      return result;
    }
    expect(state, ',');
    skipSpace(state);
  }
}

const STRING = '"(?:[^"\\\\]|\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4}))*"';

function parseString(state: ParseState): string {
  const string = new RegExp(STRING, 'y');
  string.lastIndex = state.at;
  const match = string.exec(state.text);
  if (match === null) fail(state, 'invalid string');
  try {
    // JSON.parse refuses the raw control characters the expression above lets through
    const value = JSON.parse(match[0]) as string;
    state.at += match[0].length;
    return value;
  } catch {
    return fail(state, 'invalid string');
  }
}

function skipSpace(state: ParseState): void {
  while (state.at < state.text.length && ' \t\n\r'.includes(state.text[state.at] as string)) state.at++;
}

function expect(state: ParseState, char: string): void {
  if (state.text[state.at] !== char) fail(state, `expected ${JSON.stringify(char)}`);
  state.at++;
}

function fail(state: ParseState, what: string): never {
  throw new Error(`${what} at offset ${state.at}`);
}
