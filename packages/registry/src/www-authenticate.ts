import { ImageError } from '@ferry/types';

/** One challenge of a `WWW-Authenticate` header (RFC 7235 section 4.1). */
export interface Challenge {
  /** The auth-scheme, lower-cased: `bearer`, `basic`, `negotiate`… */
  readonly scheme: string;
  /** The auth-params, keys lower-cased, values unquoted and unescaped. A null-prototype object. */
  readonly params: Readonly<Record<string, string>>;
  /** The token68 form (`Negotiate abc==`), present only when the challenge used it instead of params. */
  readonly token68?: string;
}

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
// token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const T68CHAR = /[-._~+/0-9A-Za-z]/;

/** A cursor over one header value; `fail` builds the error every malformed input ends in. */
class Scanner {
  pos = 0;
  constructor(
    readonly text: string,
    readonly host: string,
  ) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text.charAt(this.pos);
  }
  skipSpace(): number {
    const start = this.pos;
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
    return this.pos - start;
  }
  take(pattern: RegExp): string {
    const start = this.pos;
    while (!this.done && pattern.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }
  fail(what: string): ImageError {
    // the header itself is not quoted: it comes from the server and may be long
    return new ImageError(
      'ERR_UNAUTHORIZED',
      `malformed WWW-Authenticate header from ${this.host}: ${what} at offset ${this.pos}`,
    );
  }
  /** Reads a quoted-string (the cursor is on its opening quote) and returns its unescaped content. */
  quoted(): string {
    this.pos++;
    let value = '';
    for (;;) {
      if (this.done) throw this.fail('unterminated quoted string');
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        return value;
      }
      if (c === 0x5c) {
        this.pos++;
        if (this.done) throw this.fail('unterminated quoted string');
        const escaped = this.text.charCodeAt(this.pos);
        if (!isQuotedText(escaped) && escaped !== 0x22 && escaped !== 0x5c) throw this.fail('invalid escape');
        value += this.text.charAt(this.pos++);
        continue;
      }
      if (!isQuotedText(c)) throw this.fail('control character in quoted string');
      value += this.text.charAt(this.pos++);
    }
  }
}

// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (header strings are latin1, so obs-text is 0x80-0xFF)
function isQuotedText(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x7f && c <= 0xff);
}

/** Skips list separators (`#rule` allows empty elements) and reports whether a comma was seen. */
function skipCommas(s: Scanner): boolean {
  let seen = false;
  s.skipSpace();
  while (s.peek() === ',') {
    seen = true;
    s.pos++;
    s.skipSpace();
  }
  return seen;
}

/** Tries `token BWS "=" BWS ( token / quoted-string )`; on no match, restores the cursor and returns undefined. */
function authParam(s: Scanner): [string, string] | undefined {
  const start = s.pos;
  const name = s.take(TCHAR);
  s.skipSpace();
  if (name !== '' && s.peek() === '=') {
    s.pos++;
    s.skipSpace();
    if (s.peek() === '"') return [name.toLowerCase(), s.quoted()];
    const value = s.take(TCHAR);
    if (value !== '') return [name.toLowerCase(), value];
  }
  s.pos = start;
  return undefined;
}

/** Parses what follows a scheme: a token68 or a list of params, stopping before the next challenge's scheme. */
function challengeBody(s: Scanner, scheme: string, allowToken68: boolean): Challenge {
  const params: Record<string, string> = Object.create(null);
  let first = true;
  for (;;) {
    const param = authParam(s);
    if (param === undefined) {
      if (!first || !allowToken68) break; // a token not followed by "=" starts the next challenge
      const token68 = s.take(T68CHAR) + s.take(/=/);
      if (token68 === '' || /^=/.test(token68)) throw s.fail(`expected parameters after "${scheme}"`);
      s.skipSpace();
      if (!s.done && s.peek() !== ',') throw s.fail('unexpected character after token68');
      return { scheme, params: Object.freeze(params), token68 };
    }
    const [name, value] = param;
    if (Object.hasOwn(params, name)) throw s.fail(`duplicate parameter "${name}"`);
    params[name] = value;
    first = false;
    if (!skipCommas(s)) {
      if (!s.done) throw s.fail('expected "," after a parameter');
      break;
    }
    if (s.done) break;
  }
  return { scheme, params: Object.freeze(params) };
}

function parseOne(text: string, host: string, into: Challenge[]): void {
  const s = new Scanner(text, host);
  skipCommas(s);
  while (!s.done) {
    const scheme = s.take(TCHAR).toLowerCase();
    if (scheme === '') throw s.fail('expected an auth-scheme');
    const spaces = s.skipSpace();
    if (s.peek() === ',') {
      // "Basic, realm=x": a token followed by "=" cannot start a challenge, so params after commas are still ours
      skipCommas(s);
      into.push(challengeBody(s, scheme, false));
    } else {
      if (!s.done && spaces === 0) throw s.fail(`expected a space after "${scheme}"`);
      into.push(challengeBody(s, scheme, !s.done));
    }
    skipCommas(s);
  }
}

/**
 * Parses a `WWW-Authenticate` header (RFC 7235): several challenges per header, quoted strings with `\`
 * escapes and commas inside them, token68 credentials, and optional whitespace. Several header lines may be
 * passed as an array. An empty header yields no challenges.
 *
 * @param header - The header value, or the values of every `WWW-Authenticate` line.
 * @param host - The registry host, used only to name it in the error message.
 * @throws {@link ImageError} `ERR_UNAUTHORIZED` naming `host` when the header is malformed, so the client can
 * report it as the authentication failure it is.
 *
 * @example
 * ```ts
 * const [c] = parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"', 'docker.io');
 * c?.scheme; // 'bearer'
 * c?.params.realm; // 'https://auth.docker.io/token'
 * ```
 */
export function parseWwwAuthenticate(header: string | readonly string[], host = 'the registry'): Challenge[] {
  const challenges: Challenge[] = [];
  for (const line of typeof header === 'string' ? [header] : header) parseOne(line, host, challenges);
  return challenges;
}
