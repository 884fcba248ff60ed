import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.mjs';

// A minimal openssl configuration so the result does not depend on the system's openssl.cnf.
const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[issuer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
`;

/**
 * @typedef {object} ServerCerts
 * @property {string} caFile PEM of the test CA
 * @property {string} certFile PEM of the server certificate (SAN IP:127.0.0.1, DNS:localhost), signed by the CA
 * @property {string} keyFile PEM of the server's private key
 */

/**
 * Generates, with openssl, a fresh P-256 CA and a server certificate for 127.0.0.1 and localhost, valid for two days.
 *
 * @param {string} dir directory to write `ca.crt`, `ca.key`, `server.crt` and `server.key` into
 * @param {{ signal?: AbortSignal | undefined }} [options]
 * @returns {Promise<ServerCerts>}
 */
export async function generateServerCerts(dir, options = {}) {
  const config = await writeConfig(dir);
  const caFile = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await runCommand(
    'openssl',
    [
      'req',
      '-x509',
      ...ec,
      '-config',
      config,
      '-extensions',
      'ca',
      '-subj',
      '/CN=Ferry test CA',
      '-days',
      '2',
      '-keyout',
      caKey,
      '-out',
      caFile,
    ],
    options,
  );
  await runCommand(
    'openssl',
    ['req', '-new', ...ec, '-config', config, '-subj', '/CN=localhost', '-keyout', keyFile, '-out', csr],
    options,
  );
  await runCommand(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      caFile,
      '-CAkey',
      caKey,
      '-set_serial',
      randomSerial(),
      '-days',
      '2',
      '-extfile',
      config,
      '-extensions',
      'server',
      '-out',
      certFile,
    ],
    options,
  );
  return { caFile, certFile, keyFile };
}

/**
 * Generates, with openssl, a self-signed RSA certificate for a token issuer (the registry's `rootcertbundle`).
 *
 * @param {string} dir directory to write `issuer.crt` and `issuer.key` into
 * @param {{ signal?: AbortSignal | undefined }} [options]
 * @returns {Promise<{ certFile: string, keyFile: string }>}
 */
export async function generateIssuerCert(dir, options = {}) {
  const config = await writeConfig(dir);
  const certFile = join(dir, 'issuer.crt');
  const keyFile = join(dir, 'issuer.key');
  await runCommand(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-config',
      config,
      '-extensions',
      'issuer',
      '-subj',
      '/CN=Ferry test token issuer',
      '-days',
      '2',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    options,
  );
  return { certFile, keyFile };
}

/** @param {string} dir @returns {Promise<string>} */
async function writeConfig(dir) {
  const file = join(dir, 'openssl.cnf');
  await writeFile(file, OPENSSL_CONFIG);
  return file;
}

/** @returns {string} a random positive 64-bit serial number in hex */
function randomSerial() {
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return `0x${bytes.toString('hex')}`;
}
