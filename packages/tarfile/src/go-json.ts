/**
 * Serializes like Go's `encoding/json`: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped in strings,
 * and the keys of `sortedKeys` objects in byte order (as Go writes maps). Other objects keep their order
 * (as Go writes structs).
 * @example
 * ```ts
 * goJson({ b: 1, a: '<x>' }, true); // '{"a":"\u003cx\u003e","b":1}'
 * ```
 */
export function goJson(value: unknown, sortedKeys = false): string {
  if (sortedKeys && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${goJson(k)}:${goJson(v)}`).join(',')}}`;
  }
  return (JSON.stringify(value) ?? 'null').replace(/[<>&\u2028\u2029]/g, escapeForGo);
}

function escapeForGo(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
