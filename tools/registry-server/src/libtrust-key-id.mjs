import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The libtrust key ID of a public key, which distribution 2.8 matches against a token's `kid` header:
 * SHA-256 of the key's DER SubjectPublicKeyInfo, truncated to 240 bits, base32 encoded (48 characters)
 * and split into 12 groups of 4 joined by `:`.
 *
 * @param {import('node:crypto').KeyObject} publicKey
 * @returns {string} e.g. `ABCD:EFGH:...:MNOP`
 */
export function libtrustKeyId(publicKey) {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const digest = createHash('sha256').update(der).digest().subarray(0, 30);
  return base32(digest).match(/.{4}/g)?.join(':') ?? '';
}

/**
 * RFC 4648 base32 without padding; 30 input bytes give exactly 48 characters.
 *
 * @param {Uint8Array} bytes
 * @returns {string}
 */
function base32(bytes) {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}
