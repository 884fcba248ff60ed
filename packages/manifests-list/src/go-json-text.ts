/** A JSON value as the list serializers build it: a `Map` stands for a Go map (keys sorted on output). */
export type GoJsonValue =
  | string
  | number
  | readonly GoJsonValue[]
  | ReadonlyMap<string, string>
  | { readonly [key: string]: GoJsonValue | undefined };

/**
 * Serializes like Go's `json.Marshal`: compact; a plain object's members in insertion order (build it in the
 * Go struct's field order; `undefined` members are left out, as `omitempty` does); a `Map`'s keys sorted by
 * their UTF-8 bytes, as Go sorts map keys; `<`, `>`, `&`, U+2028 and U+2029 escaped in strings.
 */
export function goJsonText(value: GoJsonValue): string {
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number') return JSON.stringify(value);
  if (isArray(value)) return `[${value.map(goJsonText).join(',')}]`;
  if (value instanceof Map) {
    const keys = [...value.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return `{${keys.map((k) => `${goString(k)}:${goString(value.get(k) as string)}`).join(',')}}`;
  }
  const members = Object.entries(value as { readonly [key: string]: GoJsonValue | undefined });
  const present = members.filter((m): m is [string, GoJsonValue] => m[1] !== undefined);
  return `{${present.map(([k, v]) => `${goString(k)}:${goJsonText(v)}`).join(',')}}`;
}

function isArray(value: GoJsonValue): value is readonly GoJsonValue[] {
  return Array.isArray(value);
}

function goString(text: string): string {
  // these characters can only occur inside the JSON string, so a global replacement is safe
  return JSON.stringify(text).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}
