/**
 * @typedef {object} AccessEntry one entry of a registry token's `access` claim
 * @property {string} type e.g. `repository`
 * @property {string} name e.g. `library/hello`
 * @property {string[]} actions e.g. `['pull', 'push']`
 */

/**
 * Parses the `scope` parameters of a token request (`repository:NAME:pull,push`) into `access` entries.
 * The type ends at the first `:` and the actions start after the last, so a name may hold a `:` (a host:port).
 * Malformed scopes are skipped, as a token server grants nothing for them.
 *
 * @param {readonly string[]} scopes the raw values; a value may hold several scopes separated by spaces
 * @returns {AccessEntry[]}
 */
export function parseScopes(scopes) {
  /** @type {AccessEntry[]} */
  const entries = [];
  for (const scope of scopes.flatMap((value) => value.split(' '))) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first <= 0 || last <= first + 1) continue;
    const actions = scope
      .slice(last + 1)
      .split(',')
      .filter((action) => action !== '');
    entries.push({ type: scope.slice(0, first), name: scope.slice(first + 1, last), actions });
  }
  return entries;
}
