import { sign } from 'node:crypto';

/**
 * Signs a JWT with RS256 (RSASSA-PKCS1-v1_5 with SHA-256), the compact serialization.
 *
 * @param {Readonly<Record<string, unknown>>} header JOSE header fields besides `alg` and `typ` (e.g. `kid`)
 * @param {Readonly<Record<string, unknown>>} claims the payload
 * @param {import('node:crypto').KeyObject} privateKey an RSA private key
 * @returns {string} `header.payload.signature`, each part base64url
 */
export function signJwtRs256(header, claims, privateKey) {
  const encode = (/** @type {unknown} */ value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ typ: 'JWT', alg: 'RS256', ...header })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), privateKey).toString('base64url');
  return `${input}.${signature}`;
}
