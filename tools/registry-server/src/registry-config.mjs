/**
 * @typedef {object} RegistryConfigOptions
 * @property {string} addr `127.0.0.1:PORT`
 * @property {string} storageDir filesystem storage root
 * @property {string} logLevel `error`, `warn`, `info` or `debug`
 * @property {{ certFile: string, keyFile: string }} [tls] serve HTTPS with this certificate
 * @property {{ path: string }} [htpasswd] basic auth with this htpasswd file
 * @property {{ realm: string, service: string, issuer: string, rootCertBundle: string }} [token] token auth
 */

/**
 * Renders a distribution 2.8 configuration: filesystem storage, deletes enabled, upload purging off
 * (a test may leave an upload open on purpose), no access log, no storage health check.
 * Strings are written as JSON strings, which YAML reads as double-quoted scalars.
 *
 * @param {RegistryConfigOptions} options
 * @returns {string} the YAML text
 */
export function renderRegistryConfig(options) {
  const q = (/** @type {string} */ value) => JSON.stringify(value);
  const lines = [
    'version: 0.1',
    'log:',
    `  level: ${q(options.logLevel)}`,
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(options.storageDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${q(options.addr)}`,
    `  secret: ${q('ferry-test-secret')}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
  ];
  if (options.tls) {
    lines.push('  tls:', `    certificate: ${q(options.tls.certFile)}`, `    key: ${q(options.tls.keyFile)}`);
  }
  lines.push('health:', '  storagedriver:', '    enabled: false');
  if (options.htpasswd) {
    lines.push('auth:', '  htpasswd:', `    realm: ${q('ferry-test')}`, `    path: ${q(options.htpasswd.path)}`);
  } else if (options.token) {
    const { realm, service, issuer, rootCertBundle } = options.token;
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${q(realm)}`,
      `    service: ${q(service)}`,
      `    issuer: ${q(issuer)}`,
      `    rootcertbundle: ${q(rootCertBundle)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
