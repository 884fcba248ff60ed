/**
 * Serializes like Go's `json.Marshal`: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped. With
 * `sortKeys`, the top-level keys are sorted, as Go does for a `map[string]json.RawMessage`.
 */
export function goJson(value: unknown, sortKeys = false): string {
  let subject = value;
  if (sortKeys && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    subject = Object.fromEntries(entries);
  }
  // these characters can only occur inside JSON strings, so a global replacement is safe
  return JSON.stringify(subject).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}

/** The `created` value Go writes for a zero `time.Time`. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';
