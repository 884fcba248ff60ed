import { Buffer } from 'node:buffer';
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import {
  dearmor,
  type Packet,
  readCompressed,
  readMpi,
  readPackets,
  readSubpackets,
  type Subpacket,
  TAG,
} from './openpgp-packets.ts';
import { parseSimpleSigningPayload } from './simple-payload.ts';
import type { VerifiedSimpleSigning } from './simple-verify.ts';

// RFC 4880 §9.4: only the SHA-2 family is taken here; anything else is left to openpgp.js
const HASHES: Readonly<Record<number, string>> = { 8: 'sha256', 9: 'sha384', 10: 'sha512' };
const RSA = new Set([1, 3]);
const EDDSA_LEGACY = 22;
const ED25519_OID = Buffer.from('2b06010401da470f01', 'hex');
// openpgp.js refuses RSA keys under 2047 bits
const MIN_RSA_BITS = 2048;
// subpackets this module understands, and so the only ones it accepts marked critical
const SUBPACKET = { created: 2, signatureExpiry: 3, keyExpiry: 9, issuer: 16, keyFlags: 27, issuerFingerprint: 33 };
const UNDERSTOOD_CRITICAL = new Set([
  SUBPACKET.created,
  SUBPACKET.signatureExpiry,
  SUBPACKET.keyExpiry,
  SUBPACKET.keyFlags,
]);
const SIGN_DATA_FLAG = 0x02;
const PAYLOAD_LIMIT = 4 * 1024 * 1024;

interface PublicKeyInfo {
  readonly body: Buffer;
  readonly algorithm: number;
  readonly created: number;
  readonly key: KeyObject;
  /** The signature size in bytes for RSA (the modulus), 32 for EdDSA's r and s. */
  readonly width: number;
  readonly fingerprint: Buffer;
}

interface SignatureInfo {
  readonly type: number;
  readonly algorithm: number;
  readonly hash: string;
  /** The version-to-hashed-subpackets prefix that the hash covers. */
  readonly prefix: Buffer;
  readonly left16: Buffer;
  readonly values: readonly Buffer[];
  readonly created: number;
  readonly expiresAt: number | undefined;
  readonly keyExpiry: number | undefined;
  readonly keyFlags: number | undefined;
  readonly issuer: Buffer | undefined;
  readonly issuerFingerprint: Buffer | undefined;
}

/** A primary key judged usable for signing now, from its one user ID's newest valid self-certification. */
interface SigningKey {
  readonly info: PublicKeyInfo;
  /** When its self-certification was made: a signature older than that is left to openpgp.js. */
  readonly certifiedAt: number;
}

/**
 * The fast path of simple-signing verification, on node:crypto alone (openpgp.js costs 60–85 ms to load, most
 * of what a signature check adds to a CLI copy). It covers what gpg and Ferry make by default: a binary
 * signed message (possibly ZIP/ZLIB-compressed) with one v4 signature by a PRIMARY key, RSA ≥ 2048 bits or
 * EdDSA Ed25519, SHA-2, from a key block with one user ID whose self-certification verifies, allows signing
 * and has not expired, and with no revocation or direct-key signature at all.
 *
 * It only ever ACCEPTS: anything else, including every malformed, tampered, unknown-key, expired, revoked or
 * merely unusual input, returns undefined and the caller runs the full openpgp.js verification, which then
 * accepts or rejects with its reason. So an accept here is one openpgp.js would also give, never more.
 */
export function fastVerifySimpleSigning(
  signature: Uint8Array,
  keyData: readonly Uint8Array[],
  now: number = Date.now(),
): VerifiedSimpleSigning | undefined {
  const at = Math.floor(now / 1000);
  const message = readMessage(Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength));
  if (message === undefined) return undefined;
  const { onePass, literal, sig } = message;
  if (sig.type !== 0x00 || !onePassMatches(onePass, sig)) return undefined;
  const keys = keyData.flatMap((bytes) => signingKeys(bytes, at));
  const signer = keys.filter((k) => issuedBy(sig, k.info));
  const only = signer[0];
  if (only === undefined || signer.length !== 1) return undefined;
  if (sig.algorithm !== only.info.algorithm || !onePass.subarray(4, 12).equals(only.info.fingerprint.subarray(12))) {
    return undefined;
  }
  if (sig.created > at || sig.created < only.info.created || sig.created < only.certifiedAt) return undefined;
  if (sig.expiresAt !== undefined && sig.expiresAt <= at) return undefined;
  if (!verifies(only.info, sig, [literal])) return undefined;
  try {
    return {
      payload: parseSimpleSigningPayload(literal),
      keyFingerprint: only.info.fingerprint.toString('hex').toUpperCase(),
    };
  } catch {
    return undefined;
  }
}

// [One-Pass Signature, Literal Data ('b'), Signature], possibly inside one Compressed Data packet
function readMessage(
  bytes: Buffer,
): { readonly onePass: Buffer; readonly literal: Buffer; readonly sig: SignatureInfo } | undefined {
  let packets = readPackets(bytes);
  if (packets?.length === 1 && packets[0]?.tag === TAG.compressedData) {
    packets = readCompressed(packets[0].body, PAYLOAD_LIMIT);
  }
  if (packets === undefined || packets.length !== 3) return undefined;
  const [onePass, literal, sig] = packets as [Packet, Packet, Packet];
  if (onePass.tag !== TAG.onePassSignature || literal.tag !== TAG.literalData || sig.tag !== TAG.signature) {
    return undefined;
  }
  const content = literalContent(literal.body);
  const parsed = parseSignature(sig.body);
  if (content === undefined || parsed === undefined) return undefined;
  return { onePass: onePass.body, literal: content, sig: parsed };
}

function literalContent(body: Buffer): Buffer | undefined {
  if (body[0] !== 0x62) return undefined; // 'b': binary, hashed as is
  const nameLength = body[1];
  if (nameLength === undefined || 2 + nameLength + 4 > body.byteLength) return undefined;
  return body.subarray(2 + nameLength + 4);
}

// version 3, the same type, hash and algorithm as the signature, its key ID, and "nested" set (last one)
function onePassMatches(body: Buffer, sig: SignatureInfo): boolean {
  if (body.byteLength !== 13 || body[0] !== 3 || body[1] !== sig.type || body[12] !== 1) return false;
  if (HASHES[body[2] as number] !== sig.hash || body[3] !== sig.algorithm) return false;
  const keyId = body.subarray(4, 12);
  return sig.issuer === undefined || sig.issuer.equals(keyId);
}

// the usable primary keys of one key block sequence (binary or armored); none when anything is unusual
function signingKeys(bytes: Uint8Array, at: number): SigningKey[] {
  const binary = dearmor(bytes, 'PUBLIC KEY BLOCK');
  const packets = binary === undefined ? undefined : readPackets(binary);
  if (packets === undefined) return [];
  const out: SigningKey[] = [];
  let block: Packet[] = [];
  const flush = (): void => {
    const key = block.length === 0 ? undefined : signingKeyOf(block, at);
    if (key !== undefined) out.push(key);
    block = [];
  };
  for (const packet of packets) {
    if (packet.tag === TAG.publicKey) flush();
    block.push(packet);
  }
  flush();
  return out;
}

function signingKeyOf(block: readonly Packet[], at: number): SigningKey | undefined {
  const [first, ...rest] = block;
  if (first?.tag !== TAG.publicKey) return undefined;
  const info = parsePublicKey(first.body);
  if (info === undefined || info.created > at) return undefined;
  // the packets up to the first subkey belong to the primary key: exactly one user ID and its signatures
  const end = rest.findIndex((p) => p.tag === TAG.publicSubkey);
  const own = (end < 0 ? rest : rest.slice(0, end)).filter((p) => p.tag !== 12); // trust packets of keyrings
  if (own[0]?.tag !== TAG.userId || own.filter((p) => p.tag === TAG.userId).length !== 1) return undefined;
  if (own.some((p) => p.tag !== TAG.userId && p.tag !== TAG.signature)) return undefined;
  const uid = own[0].body;
  let newest: SignatureInfo | undefined;
  for (const packet of own.slice(1)) {
    const sig = parseSignature(packet.body);
    if (sig === undefined) return undefined;
    if (sig.type < 0x10 || sig.type > 0x13) return undefined; // revocations and anything else: not here
    if (!issuedBy(sig, info)) continue; // a third party's certification says nothing about validity
    if (sig.algorithm !== info.algorithm || sig.created > at || sig.created < info.created) continue;
    if (sig.expiresAt !== undefined && sig.expiresAt <= at) continue;
    if (!verifies(info, sig, [certificationPrefix(info.body, uid)])) continue;
    if (newest === undefined || sig.created >= newest.created) newest = sig;
  }
  if (newest === undefined || newest.keyFlags === undefined || (newest.keyFlags & SIGN_DATA_FLAG) === 0) {
    return undefined;
  }
  if (newest.keyExpiry !== undefined && newest.keyExpiry !== 0 && info.created + newest.keyExpiry <= at) {
    return undefined;
  }
  return { info, certifiedAt: newest.created };
}

function parsePublicKey(body: Buffer): PublicKeyInfo | undefined {
  if (body[0] !== 4 || body.byteLength < 6) return undefined;
  const created = body.readUInt32BE(1);
  const algorithm = body[5] as number;
  const fingerprint = createHash('sha1')
    .update(Buffer.from([0x99, body.byteLength >> 8, body.byteLength & 0xff]))
    .update(body)
    .digest();
  try {
    if (RSA.has(algorithm)) {
      const n = readMpi(body, 6);
      const e = n === undefined ? undefined : readMpi(body, n.end);
      if (n === undefined || e === undefined || e.end !== body.byteLength) return undefined;
      if (body.readUInt16BE(6) < MIN_RSA_BITS) return undefined;
      const key = createPublicKey({
        key: { kty: 'RSA', n: n.value.toString('base64url'), e: e.value.toString('base64url') },
        format: 'jwk',
      });
      return { body, algorithm, created, key, width: n.value.byteLength, fingerprint };
    }
    if (algorithm === EDDSA_LEGACY) {
      const oidLength = body[6] as number;
      const oid = body.subarray(7, 7 + oidLength);
      const point = readMpi(body, 7 + oidLength);
      if (!oid.equals(ED25519_OID) || point === undefined || point.end !== body.byteLength) return undefined;
      if (point.value.byteLength !== 33 || point.value[0] !== 0x40) return undefined;
      const key = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: point.value.subarray(1).toString('base64url') },
        format: 'jwk',
      });
      return { body, algorithm, created, key, width: 32, fingerprint };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function parseSignature(body: Buffer): SignatureInfo | undefined {
  if (body[0] !== 4 || body.byteLength < 10) return undefined;
  const hash = HASHES[body[3] as number];
  const hashedLength = body.readUInt16BE(4);
  const unhashedAt = 6 + hashedLength;
  if (hash === undefined || unhashedAt + 2 > body.byteLength) return undefined;
  const unhashedLength = body.readUInt16BE(unhashedAt);
  const valuesAt = unhashedAt + 2 + unhashedLength + 2;
  if (valuesAt > body.byteLength) return undefined;
  const hashed = readSubpackets(body.subarray(6, unhashedAt));
  const unhashed = readSubpackets(body.subarray(unhashedAt + 2, valuesAt - 2));
  if (hashed === undefined || unhashed === undefined) return undefined;
  if ([...hashed, ...unhashed].some((s) => s.critical && !UNDERSTOOD_CRITICAL.has(s.type))) return undefined;
  // what the validity rests on must be hashed; the issuer is only a hint, checked by verifying
  if (unhashed.some((s) => UNDERSTOOD_CRITICAL.has(s.type))) return undefined;
  const algorithm = body[2] as number;
  const values = readValues(body, valuesAt, algorithm);
  const created = single(hashed, SUBPACKET.created, 4);
  const signatureExpiry = single(hashed, SUBPACKET.signatureExpiry, 4);
  const keyExpiry = single(hashed, SUBPACKET.keyExpiry, 4);
  const keyFlags = single(hashed, SUBPACKET.keyFlags);
  if (values === undefined || created === null || created === undefined) return undefined;
  if (signatureExpiry === null || keyExpiry === null || keyFlags === null) return undefined;
  const createdAt = created.readUInt32BE(0);
  const expiry = signatureExpiry?.readUInt32BE(0) ?? 0;
  const issuers = [...hashed, ...unhashed];
  const issuer = issuers.find((s) => s.type === SUBPACKET.issuer && s.data.byteLength === 8)?.data;
  const fpr = issuers.find((s) => s.type === SUBPACKET.issuerFingerprint && s.data[0] === 4)?.data.subarray(1);
  return {
    type: body[1] as number,
    algorithm,
    hash,
    prefix: body.subarray(0, unhashedAt),
    left16: body.subarray(valuesAt - 2, valuesAt),
    values,
    created: createdAt,
    expiresAt: expiry === 0 ? undefined : createdAt + expiry,
    keyExpiry: keyExpiry?.readUInt32BE(0),
    keyFlags: keyFlags?.[0],
    issuer,
    issuerFingerprint: fpr,
  };
}

// the one subpacket of `type` (of `size` bytes when given); undefined when absent, null when repeated or malformed
function single(list: readonly Subpacket[], type: number, size?: number): Buffer | undefined | null {
  const found = list.filter((s) => s.type === type);
  if (found.length === 0) return undefined;
  const [only] = found;
  if (
    found.length > 1 ||
    only === undefined ||
    (size !== undefined ? only.data.byteLength !== size : only.data.byteLength === 0)
  ) {
    return null;
  }
  return only.data;
}

function readValues(body: Buffer, at: number, algorithm: number): Buffer[] | undefined {
  const count = RSA.has(algorithm) ? 1 : algorithm === EDDSA_LEGACY ? 2 : 0;
  if (count === 0) return undefined;
  const values: Buffer[] = [];
  let next = at;
  for (let i = 0; i < count; i++) {
    const mpi = readMpi(body, next);
    if (mpi === undefined) return undefined;
    values.push(mpi.value);
    next = mpi.end;
  }
  return next === body.byteLength ? values : undefined;
}

// a signature by `key`: the issuer fingerprint when given (it must match), else the key ID; one of them is needed
function issuedBy(sig: SignatureInfo, key: PublicKeyInfo): boolean {
  if (sig.issuerFingerprint !== undefined) return sig.issuerFingerprint.equals(key.fingerprint);
  return sig.issuer?.equals(key.fingerprint.subarray(12)) === true;
}

// what a certification of `uid` by its key hashes before the signature's own trailer (RFC 4880 §5.2.4)
function certificationPrefix(keyBody: Buffer, uid: Buffer): Buffer {
  const head = Buffer.from([0x99, keyBody.byteLength >> 8, keyBody.byteLength & 0xff]);
  const uidHead = Buffer.alloc(5);
  uidHead[0] = 0xb4;
  uidHead.writeUInt32BE(uid.byteLength, 1);
  return Buffer.concat([head, keyBody, uidHead, uid]);
}

function verifies(key: PublicKeyInfo, sig: SignatureInfo, data: readonly Buffer[]): boolean {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(sig.prefix.byteLength, 0);
  const signed = Buffer.concat([...data, sig.prefix, Buffer.from([4, 0xff]), length]);
  const digest = createHash(sig.hash).update(signed).digest();
  if (!digest.subarray(0, 2).equals(sig.left16)) return false;
  try {
    if (RSA.has(key.algorithm)) {
      const [s] = sig.values;
      if (s === undefined || s.byteLength > key.width) return false;
      return verify(sig.hash, signed, key.key, leftPad(s, key.width));
    }
    const [r, s] = sig.values;
    if (r === undefined || s === undefined || r.byteLength > 32 || s.byteLength > 32) return false;
    // OpenPGP's EdDSA signs the digest itself
    return verify(null, digest, key.key, Buffer.concat([leftPad(r, 32), leftPad(s, 32)]));
  } catch {
    return false;
  }
}

function leftPad(value: Buffer, width: number): Buffer {
  if (value.byteLength === width) return value;
  const out = Buffer.alloc(width);
  value.copy(out, width - value.byteLength);
  return out;
}
