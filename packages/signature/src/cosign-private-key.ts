import { createPrivateKey, type KeyObject, randomBytes, type ScryptOptions, scrypt, scryptSync } from 'node:crypto';
import { type CallOptions, ImageError } from '@ferry/types';
import nacl from 'tweetnacl';
import { decodePemBlock, encodePem } from './sigstore-pem.ts';
import { type JsonValue, parseStrictJson } from './strict-json.ts';

/** The PEM type cosign's `generate-key-pair` writes (and the only one skopeo 1.9 reads). */
export const COSIGN_PRIVATE_KEY_PEM_TYPE = 'ENCRYPTED COSIGN PRIVATE KEY';
/** The PEM type newer sigstore tools write; accepted when reading. */
export const SIGSTORE_PRIVATE_KEY_PEM_TYPE = 'ENCRYPTED SIGSTORE PRIVATE KEY';

// go-securesystemslib's "encrypted" format: JSON {kdf: {name: "scrypt", params: {N, r, p}, salt},
// cipher: {name: "nacl/secretbox", nonce}, ciphertext}, byte strings in base64, around a PKCS #8 DER key.
// Only its three parameter sets are accepted on read, so that a file cannot make us spend unbounded memory.
const SCRYPT_PARAMS: ReadonlyArray<Readonly<{ N: number; r: number; p: number }>> = [
  { N: 32768, r: 8, p: 1 },
  { N: 65536, r: 8, p: 1 },
  { N: 131072, r: 8, p: 1 },
];
const KEY_SIZE = nacl.secretbox.keyLength;
const NONCE_SIZE = nacl.secretbox.nonceLength;
const SALT_SIZE = 32;
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

/**
 * Decrypts a cosign private key file (`ENCRYPTED COSIGN PRIVATE KEY` or `ENCRYPTED SIGSTORE PRIVATE KEY`):
 * scrypt derives a secretbox key from the passphrase, which opens the PKCS #8 key.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when the file is not such a key, the passphrase is wrong
 * (the message never contains it), or the key inside is unreadable; an abort rejects with `signal.reason`.
 * @example
 * ```ts
 * const key = await decryptCosignPrivateKey(await readFile('cosign.key'), process.env.COSIGN_PASSWORD ?? '');
 * ```
 */
export async function decryptCosignPrivateKey(
  pem: Uint8Array | string,
  passphrase: string | Uint8Array,
  options: CallOptions = {},
): Promise<KeyObject> {
  options.signal?.throwIfAborted();
  const text = typeof pem === 'string' ? pem : new TextDecoder().decode(pem);
  const decoded = decodePemBlock(text);
  if (decoded === undefined) throw badKey('it holds no PEM block');
  const { type, der } = decoded.block;
  if (type !== COSIGN_PRIVATE_KEY_PEM_TYPE && type !== SIGSTORE_PRIVATE_KEY_PEM_TYPE) {
    throw badKey(`unsupported PEM type ${JSON.stringify(type)}`);
  }
  const envelope = parseEnvelope(der);
  const key = await new Promise<Buffer>((resolve, reject) => {
    scrypt(passphrase, envelope.salt, KEY_SIZE, envelope.scrypt, (error, derived) =>
      error === null ? resolve(derived) : reject(badKey('scrypt failed', error)),
    );
  });
  options.signal?.throwIfAborted();
  const plain = nacl.secretbox.open(envelope.ciphertext, envelope.nonce, key);
  if (plain === null) throw badKey('decryption failed (wrong passphrase?)');
  try {
    return createPrivateKey({ key: Buffer.from(plain), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw badKey('the decrypted key is not a PKCS #8 private key', cause);
  }
}

/**
 * Encrypts a private key the way cosign's `generate-key-pair` does (`ENCRYPTED COSIGN PRIVATE KEY`, scrypt
 * N=32768 r=8 p=1, nacl secretbox), so that cosign and skopeo can use the result.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when `key` is not a private key.
 * @example
 * ```ts
 * const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
 * await writeFile('cosign.key', encryptCosignPrivateKey(privateKey, passphrase));
 * ```
 */
export function encryptCosignPrivateKey(key: KeyObject, passphrase: string | Uint8Array): string {
  if (key.type !== 'private') throw new ImageError('ERR_INVALID_ARGUMENT', 'only a private key can be encrypted');
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  const params = SCRYPT_PARAMS[0] as { N: number; r: number; p: number };
  const salt = randomBytes(SALT_SIZE);
  const nonce = randomBytes(NONCE_SIZE);
  const secret = scryptSync(passphrase, salt, KEY_SIZE, { ...params, maxmem: MAX_SCRYPT_MEMORY });
  const ciphertext = nacl.secretbox(new Uint8Array(pkcs8), new Uint8Array(nonce), new Uint8Array(secret));
  // member order as Go's json.Marshal writes the struct
  const json = JSON.stringify({
    kdf: { name: 'scrypt', params, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(ciphertext).toString('base64'),
  });
  return encodePem(COSIGN_PRIVATE_KEY_PEM_TYPE, new TextEncoder().encode(json));
}

interface Envelope {
  readonly scrypt: ScryptOptions;
  readonly salt: Buffer;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

function parseEnvelope(der: Uint8Array): Envelope {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(der);
  } catch (cause) {
    throw badKey('the encrypted key is not JSON', cause);
  }
  const data = parseStrictJson(text, (fault) => badKey(`the encrypted key is not JSON: ${fault.message}`));
  const kdf = field(data, 'kdf');
  const cipher = field(data, 'cipher');
  if (field(kdf, 'name') !== 'scrypt') throw badKey('unknown key derivation function');
  if (field(cipher, 'name') !== 'nacl/secretbox') throw badKey('unknown cipher');
  const given = field(kdf, 'params');
  const params = SCRYPT_PARAMS.find(
    (p) => p.N === field(given, 'N') && p.r === field(given, 'r') && p.p === field(given, 'p'),
  );
  if (params === undefined) throw badKey('unsupported scrypt parameters');
  const nonce = base64(field(cipher, 'nonce'), 'cipher.nonce');
  if (nonce.byteLength !== NONCE_SIZE) throw badKey('incorrect nonce size');
  return {
    scrypt: { ...params, maxmem: MAX_SCRYPT_MEMORY },
    salt: base64(field(kdf, 'salt'), 'kdf.salt'),
    nonce: new Uint8Array(nonce),
    ciphertext: new Uint8Array(base64(field(data, 'ciphertext'), 'ciphertext')),
  };
}

// a member of a JSON object; undefined when `value` is not an object or lacks it
function field(value: JsonValue | undefined, key: string): JsonValue | undefined {
  return value instanceof Map ? value.get(key) : undefined;
}

function base64(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw badKey(`${what} is not base64`);
  }
  return Buffer.from(value, 'base64');
}

function badKey(why: string, cause?: unknown): ImageError {
  return new ImageError(
    'ERR_INVALID_ARGUMENT',
    `cannot read the cosign private key: ${why}`,
    cause === undefined ? undefined : { cause },
  );
}
