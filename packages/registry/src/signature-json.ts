/**
 * JSON text as Go's `json.Marshal` writes it (no spaces; `<`, `>`, `&`, U+2028 and U+2029 escaped), so
 * that documents Ferry writes for containers/image and cosign have the bytes those tools would write.
 * Key order is the object's own.
 */
export function goJsonText(value: unknown): string {
  // these characters can occur only inside strings of JSON text, so replacing them there is safe
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
