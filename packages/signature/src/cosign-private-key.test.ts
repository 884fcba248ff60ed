import { createPrivateKey, generateKeyPairSync, randomBytes, scryptSync, sign, verify } from 'node:crypto';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import {
  COSIGN_PRIVATE_KEY_PEM_TYPE,
  decryptCosignPrivateKey,
  encryptCosignPrivateKey,
  SIGSTORE_PRIVATE_KEY_PEM_TYPE,
} from './cosign-private-key.ts';
import { decodePemBlock, encodePem } from './sigstore-pem.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

// An encrypted key built independently of the code under test, from go-securesystemslib's documented format.
function handMade(passphrase: string, params: { N: number; r: number; p: number }, type = COSIGN_PRIVATE_KEY_PEM_TYPE) {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = scryptSync(passphrase, salt, 32, { ...params, maxmem: 512 * 1024 * 1024 });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const ciphertext = nacl.secretbox(new Uint8Array(pkcs8), new Uint8Array(nonce), new Uint8Array(key));
  const json = {
    kdf: { name: 'scrypt', params, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(ciphertext).toString('base64'),
  };
  return encodePem(type, new TextEncoder().encode(JSON.stringify(json)));
}

const signsLikeTheOriginal = (key: Awaited<ReturnType<typeof decryptCosignPrivateKey>>) =>
  verify('sha256', Buffer.from('x'), publicKey, sign('sha256', Buffer.from('x'), key));

describe('cosign private keys', () => {
  it('round-trips through encrypt and decrypt', async () => {
    const pem = encryptCosignPrivateKey(privateKey, 'correct horse');
    const key = await decryptCosignPrivateKey(pem, 'correct horse');
    expect(key.type).toBe('private');
    expect(signsLikeTheOriginal(key)).toBe(true);
    expect(
      await decryptCosignPrivateKey(new TextEncoder().encode(pem), new TextEncoder().encode('correct horse')),
    ).toBeDefined();
  });

  it("writes cosign's generate-key-pair format: scrypt N=32768 r=8 p=1, 32-byte salt, secretbox with a 24-byte nonce", () => {
    const pem = encryptCosignPrivateKey(privateKey, 'pw');
    const block = decodePemBlock(pem)?.block;
    expect(block?.type).toBe('ENCRYPTED COSIGN PRIVATE KEY');
    const json = JSON.parse(new TextDecoder().decode(block?.der));
    expect(Object.keys(json)).toEqual(['kdf', 'cipher', 'ciphertext']);
    expect(json.kdf.name).toBe('scrypt');
    expect(json.kdf.params).toEqual({ N: 32768, r: 8, p: 1 });
    expect(Buffer.from(json.kdf.salt, 'base64')).toHaveLength(32);
    expect(json.cipher.name).toBe('nacl/secretbox');
    const nonce = Buffer.from(json.cipher.nonce, 'base64');
    expect(nonce).toHaveLength(24);
    // open it independently: scrypt → 32-byte secretbox key → PKCS #8
    const key = scryptSync('pw', Buffer.from(json.kdf.salt, 'base64'), 32, {
      N: 32768,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    const plain = nacl.secretbox.open(
      new Uint8Array(Buffer.from(json.ciphertext, 'base64')),
      new Uint8Array(nonce),
      new Uint8Array(key),
    );
    expect(plain).not.toBeNull();
    const reopened = createPrivateKey({ key: Buffer.from(plain as Uint8Array), format: 'der', type: 'pkcs8' });
    expect(signsLikeTheOriginal(reopened)).toBe(true);
  });

  it.each([
    ['legacy parameters, cosign type', { N: 32768, r: 8, p: 1 }, COSIGN_PRIVATE_KEY_PEM_TYPE],
    ['standard parameters, sigstore type', { N: 65536, r: 8, p: 1 }, SIGSTORE_PRIVATE_KEY_PEM_TYPE],
  ])('decrypts a key made from the documented format (%s)', async (_why, params, type) => {
    expect(signsLikeTheOriginal(await decryptCosignPrivateKey(handMade('pw', params, type), 'pw'))).toBe(true);
  });

  it('refuses a wrong passphrase with ERR_INVALID_ARGUMENT, without the passphrase in the message', async () => {
    const pem = encryptCosignPrivateKey(privateKey, 'right-secret');
    const error = await decryptCosignPrivateKey(pem, 'wrong-secret').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect((error as Error).message).not.toMatch(/secret/);
    expect((error as Error).message).toMatch(/passphrase/);
  });

  it.each([
    ['no PEM', 'hello'],
    ['another PEM type', encodePem('PRIVATE KEY', new Uint8Array([1]))],
    ['a body that is not JSON', encodePem(COSIGN_PRIVATE_KEY_PEM_TYPE, new TextEncoder().encode('{'))],
    ['unusual scrypt parameters', handMade('pw', { N: 1024, r: 8, p: 1 })],
  ])('refuses %s with ERR_INVALID_ARGUMENT', async (_why, pem) => {
    await expect(decryptCosignPrivateKey(pem, 'pw')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('refuses to encrypt a public key', () => {
    expect(() => encryptCosignPrivateKey(publicKey, 'pw')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  it('rejects with the abort reason', async () => {
    const reason = new Error('stop');
    await expect(
      decryptCosignPrivateKey(encryptCosignPrivateKey(privateKey, 'pw'), 'pw', { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
  });
});
