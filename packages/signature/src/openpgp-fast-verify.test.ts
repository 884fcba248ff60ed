import { Buffer } from 'node:buffer';
import { createMessage, readKey, readPrivateKey, reformatKey, revokeKey, type SecretKeyPacket, sign } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastVerifySimpleSigning } from './openpgp-fast-verify.ts';
import { encodeSimpleSigningPayload } from './simple-payload.ts';
import { readOpenPgpKeyring, verifySimpleSigning } from './simple-verify.ts';
import { openpgpKey, signingInput, type TestKey } from './test-support/simple-fixtures.ts';
import { type GnupgHome, makeGnupgHome } from './test-support/simple-gpg.ts';

const PAYLOAD = encodeSimpleSigningPayload({ ...signingInput(), dockerReference: 'quay.io/ferry/app:v1' });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

async function signWith(key: TestKey, date?: Date, payload: Uint8Array = PAYLOAD): Promise<Uint8Array> {
  return sign({
    message: await createMessage({ binary: payload, ...(date === undefined ? {} : { date }) }),
    signingKeys: await readPrivateKey({ armoredKey: key.privateKey }),
    format: 'binary',
    ...(date === undefined ? {} : { date }),
  });
}

// what openpgp.js says: the payload's digest and the fingerprint, or the rejection
async function slow(signature: Uint8Array, keys: readonly Uint8Array[]): Promise<string> {
  try {
    const verified = await verifySimpleSigning(signature, await readOpenPgpKeyring(keys));
    return `${verified.payload.manifestDigest} ${verified.keyFingerprint}`;
  } catch (e) {
    return `rejected: ${(e as Error).message}`;
  }
}

function fast(signature: Uint8Array, keys: readonly Uint8Array[]): string | undefined {
  const verified = fastVerifySimpleSigning(signature, keys);
  return verified === undefined ? undefined : `${verified.payload.manifestDigest} ${verified.keyFingerprint}`;
}

let home: GnupgHome;
let edFingerprint: string;
let rsaFingerprint: string;
let gpgKeys: Uint8Array;
let keyA: TestKey;
let keyB: TestKey;

beforeAll(async () => {
  [home, keyA, keyB] = await Promise.all([makeGnupgHome(), openpgpKey('A'), openpgpKey('B')]);
  edFingerprint = await home.generateKey('Ed <ed@example.com>');
  const rsa = await home.gpg([
    '--passphrase',
    '',
    '--quick-gen-key',
    'Rsa <rsa@example.com>',
    'rsa2048',
    'sign',
    'never',
  ]);
  expect(rsa.code).toBe(0);
  const list = (await home.gpg(['--with-colons', '--list-keys', 'rsa@example.com'])).stdout.toString();
  rsaFingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(list)?.[1] as string;
  gpgKeys = (await home.gpg(['--export'])).stdout;
}, 120_000);
afterAll(async () => home.cleanup());

async function gpgSign(fingerprint: string, extra: readonly string[] = []): Promise<Uint8Array> {
  const result = await home.gpg(['--digest-algo', 'SHA256', ...extra, '-u', `${fingerprint}!`, '--sign'], {
    input: PAYLOAD,
  });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe('fastVerifySimpleSigning', () => {
  it('accepts what gpg signs (ed25519 and RSA, compressed messages), exactly as openpgp.js does', async () => {
    for (const fingerprint of [edFingerprint, rsaFingerprint]) {
      const signature = await gpgSign(fingerprint);
      const expected = await slow(signature, [gpgKeys]);
      expect(expected).toContain(fingerprint);
      expect(fast(signature, [gpgKeys])).toBe(expected);
      // uncompressed too
      const plain = await gpgSign(fingerprint, ['--compress-algo', 'none']);
      expect(fast(plain, [gpgKeys])).toBe(expected);
    }
  }, 60_000);

  it('accepts what Ferry signs with openpgp.js, from armored or binary keys, among other keys', async () => {
    const signature = await signWith(keyA);
    const binaryA = (await readKey({ armoredKey: keyA.publicKey })).write();
    for (const keys of [[text(keyA.publicKey)], [gpgKeys, binaryA], [text(keyB.publicKey), text(keyA.publicKey)]]) {
      const expected = await slow(signature, keys);
      expect(expected).toContain(keyA.fingerprint);
      expect(fast(signature, keys)).toBe(expected);
    }
  });

  it('never accepts what openpgp.js rejects: tampered, unknown key, expired, revoked, future', async () => {
    const good = Buffer.from(await signWith(keyA));
    const cases: [string, Uint8Array, readonly Uint8Array[]][] = [];
    // one byte of the payload changed, where the JSON stays valid
    const at = good.indexOf(Buffer.from('quay.io'));
    const tampered = Buffer.from(good);
    tampered[at] = 'k'.charCodeAt(0);
    cases.push(['tampered', tampered, [text(keyA.publicKey)]]);
    cases.push(['unknown key', good, [text(keyB.publicKey), gpgKeys]]);
    const past = new Date(Date.now() - 10 * 86_400_000);
    const expiring = await openpgpKey('E', { keyExpirationTime: 86_400, date: past });
    cases.push(['key expired since it signed', await signWith(expiring, past), [text(expiring.publicKey)]]);
    const { publicKey: revoked } = await revokeKey({
      key: await readPrivateKey({ armoredKey: keyA.privateKey }),
      format: 'armored',
    });
    cases.push(['revoked key', good, [text(revoked)]]);
    // the only user ID revoked (a certification revocation after the self-certification)
    const withdrawn = await readPrivateKey({ armoredKey: keyA.privateKey });
    const [user] = withdrawn.users;
    if (user === undefined) throw new Error('no user');
    withdrawn.users[0] = await user.revoke(withdrawn.keyPacket as SecretKeyPacket);
    cases.push(['revoked user ID', good, [text(withdrawn.toPublic().armor())]]);
    cases.push(['from the future', await signWith(keyA, new Date(Date.now() + 3_600_000)), [text(keyA.publicKey)]]);
    for (const [name, signature, keys] of cases) {
      expect(await slow(signature, keys), name).toMatch(/^rejected: /);
      expect(fast(signature, keys), name).toBeUndefined();
    }
  });

  it('leaves unusual keys and messages to openpgp.js: a signing subkey, two user IDs, garbage', async () => {
    const added = await home.gpg(['--passphrase', '', '--quick-add-key', edFingerprint, 'ed25519', 'sign', 'never']);
    expect(added.code).toBe(0);
    const list = (await home.gpg(['--with-colons', '--list-keys', edFingerprint])).stdout.toString();
    const subkey = [...list.matchAll(/^fpr:+([0-9A-F]{40}):/gm)].map((m) => m[1] as string).at(-1) as string;
    const keys = [(await home.gpg(['--export', edFingerprint])).stdout];
    const bySubkey = await gpgSign(subkey);
    expect(await slow(bySubkey, keys)).toContain(edFingerprint);
    expect(fast(bySubkey, keys)).toBeUndefined();

    const twoIds = await reformatKey({
      privateKey: await readPrivateKey({ armoredKey: keyA.privateKey }),
      userIDs: [
        { name: 'One', email: 'one@example.com' },
        { name: 'Two', email: 'two@example.com' },
      ],
      format: 'armored',
    });
    const signature = await signWith({ ...keyA, privateKey: twoIds.privateKey });
    expect(await slow(signature, [text(twoIds.publicKey)])).toContain(keyA.fingerprint);
    expect(fast(signature, [text(twoIds.publicKey)])).toBeUndefined();

    for (const junk of [new Uint8Array(), text('not a signature'), Buffer.from(await signWith(keyA)).subarray(0, 40)]) {
      expect(fast(junk, [text(keyA.publicKey)])).toBeUndefined();
    }
    expect(fast(await signWith(keyA), [text('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!\n')])).toBeUndefined();
  }, 60_000);
});
