import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isImageError } from '@ferry/types';
import { createCleartextMessage, createMessage, readKey, readPrivateKey, revokeKey, sign } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSimpleSigningPayload } from './simple-payload.ts';
import { simpleSigner } from './simple-signer.ts';
import { readOpenPgpKeyring, verifySimpleSigning } from './simple-verify.ts';
import { MANIFEST, openpgpKey, signingInput, type TestKey } from './test-support/simple-fixtures.ts';
import { type GnupgHome, makeGnupgHome, run } from './test-support/simple-gpg.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const PAYLOAD = encodeSimpleSigningPayload({ ...signingInput(), dockerReference: 'quay.io/ferry/app:v1' });

async function signWith(key: TestKey, payload: Uint8Array = PAYLOAD, date?: Date): Promise<Uint8Array> {
  return sign({
    message: await createMessage({ binary: payload, ...(date === undefined ? {} : { date }) }),
    signingKeys: await readPrivateKey({ armoredKey: key.privateKey }),
    format: 'binary',
    ...(date === undefined ? {} : { date }),
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isImageError(error, 'ERR_SIGNATURE_INVALID')).toBe(true);
  return error as Error;
}

let keyA: TestKey;
let keyB: TestKey;
let home: GnupgHome;
let gpgFingerprint: string;

beforeAll(async () => {
  [keyA, keyB, home] = await Promise.all([openpgpKey('A'), openpgpKey('B'), makeGnupgHome()]);
  gpgFingerprint = await home.generateKey('G <g@example.com>');
}, 60_000);
afterAll(async () => home.cleanup());

describe('readOpenPgpKeyring', () => {
  it('reads armored and binary keys, several per input, without duplicates, as uppercase primary fingerprints', async () => {
    const exported = await home.gpg(['--export']);
    const binaryA = (await readKey({ armoredKey: keyA.publicKey })).write();
    const keyring = await readOpenPgpKeyring([text(keyB.publicKey), exported.stdout, binaryA, text(keyB.publicKey)]);
    expect(keyring.fingerprints).toEqual([keyB.fingerprint, gpgFingerprint, keyA.fingerprint]);
    expect(keyring.fingerprints.every((f) => /^[0-9A-F]{40}$/.test(f))).toBe(true);
  });

  it('reduces secret keys to public keys and reads nothing from empty input', async () => {
    const keyring = await readOpenPgpKeyring([text(keyA.privateKey), new Uint8Array()]);
    expect(keyring.fingerprints).toEqual([keyA.fingerprint]);
    expect(keyring.keys[0]?.isPrivate()).toBe(false);
  });

  it('refuses data that is no key with ERR_INVALID_ARGUMENT', async () => {
    for (const data of [text('not a key'), text('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxx\n'), PAYLOAD]) {
      await expect(readOpenPgpKeyring([data])).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
  });
});

describe('verifySimpleSigning', () => {
  it('accepts an openpgp.js signed message and returns the payload and the key', async () => {
    const keyring = await readOpenPgpKeyring([text(keyB.publicKey), text(keyA.publicKey)]);
    const result = await verifySimpleSigning(await signWith(keyA), keyring);
    expect(result.keyFingerprint).toBe(keyA.fingerprint);
    expect(result.payload.dockerReference).toBe('quay.io/ferry/app:v1');
    expect(result.payload.manifestDigest).toBe(signingInput().manifestDigest);
  });

  it('accepts what gpg --sign makes', async () => {
    const signed = await home.gpg(['--sign', '--local-user', gpgFingerprint], { input: PAYLOAD });
    expect(signed.code).toBe(0);
    const keyring = await readOpenPgpKeyring([(await home.gpg(['--export', gpgFingerprint])).stdout]);
    const result = await verifySimpleSigning(signed.stdout, keyring);
    expect(result.keyFingerprint).toBe(gpgFingerprint);
    expect(result.payload.manifestDigest).toBe(signingInput().manifestDigest);
  });

  it('reports the primary key when a gpg signing subkey signed', async () => {
    const primary = await home.generateKey('S <s@example.com>');
    expect(
      (
        await home.gpg([
          '--pinentry-mode',
          'loopback',
          '--passphrase',
          '',
          '--quick-add-key',
          primary,
          'ed25519',
          'sign',
          'never',
        ])
      ).code,
    ).toBe(0);
    const list = (await home.gpg(['--with-colons', '--list-keys', primary])).stdout.toString();
    const fingerprints = [...list.matchAll(/^fpr:+([0-9A-F]{40}):/gm)].map((m) => m[1]);
    const subkey = fingerprints[1] as string;
    expect(subkey).not.toBe(primary);
    const signed = await home.gpg(['--sign', '--local-user', `${subkey}!`], { input: PAYLOAD });
    expect(signed.code).toBe(0);
    const keyring = await readOpenPgpKeyring([(await home.gpg(['--export', primary])).stdout]);
    const result = await verifySimpleSigning(signed.stdout, keyring);
    expect(result.keyFingerprint).toBe(primary);
  });

  it('is verified by gpg --decrypt byte-exact, with VALIDSIG', async () => {
    const signer = await simpleSigner({ privateKey: keyA.privateKey });
    const { bytes } = (await signer.sign(signingInput())) as { bytes: Uint8Array };
    expect((await home.gpg(['--import'], { input: keyA.publicKey })).code).toBe(0);
    const decrypted = await home.gpg(['--status-fd', '2', '--decrypt'], { input: bytes });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stderr).toContain(`[GNUPG:] VALIDSIG ${keyA.fingerprint}`);
    const ours = await verifySimpleSigning(bytes, await readOpenPgpKeyring([text(keyA.publicKey)]));
    expect(new Uint8Array(decrypted.stdout)).toEqual(encodeSimpleSigningPayload(ours.payload));
    expect(ours.payload.creator).toBe('ferry');
  });

  it('rejects a tampered payload', async () => {
    const signature = await signWith(keyA);
    const at = Buffer.from(signature).indexOf('quay.io');
    expect(at).toBeGreaterThan(0);
    signature[at] = 'k'.charCodeAt(0);
    await rejection(verifySimpleSigning(signature, await readOpenPgpKeyring([text(keyA.publicKey)])));
  });

  it('rejects a signature by a key not in the keyring', async () => {
    const error = await rejection(
      verifySimpleSigning(await signWith(keyA), await readOpenPgpKeyring([text(keyB.publicKey)])),
    );
    expect(error.message).toMatch(/not a trusted key/);
  });

  it('rejects garbage, an empty signature, an unsigned message and a detached signature', async () => {
    const keyring = await readOpenPgpKeyring([text(keyA.publicKey)]);
    const unsigned = (await createMessage({ binary: PAYLOAD })).write();
    const detached = await sign({
      message: await createMessage({ binary: PAYLOAD }),
      signingKeys: await readPrivateKey({ armoredKey: keyA.privateKey }),
      detached: true,
      format: 'binary',
    });
    for (const bytes of [text('garbage'), new Uint8Array(), PAYLOAD, unsigned, detached]) {
      await rejection(verifySimpleSigning(bytes, keyring));
    }
  });

  it('accepts armored and cleartext-signed messages, as skopeo 1.9 (gpgme) does', async () => {
    const signingKeys = await readPrivateKey({ armoredKey: keyA.privateKey });
    const keyring = await readOpenPgpKeyring([text(keyA.publicKey)]);
    const cleartext = await sign({
      message: await createCleartextMessage({ text: new TextDecoder().decode(PAYLOAD) }),
      signingKeys,
    });
    const armored = await sign({ message: await createMessage({ binary: PAYLOAD }), signingKeys, format: 'armored' });
    const gpgClear = await home.gpg(['--clearsign', '--local-user', gpgFingerprint], { input: PAYLOAD });
    const gpgKeyring = await readOpenPgpKeyring([(await home.gpg(['--export', gpgFingerprint])).stdout]);
    const digest = signingInput().manifestDigest;
    for (const [bytes, ring] of [
      [text(cleartext), keyring],
      [text(armored), keyring],
      [gpgClear.stdout, gpgKeyring],
    ] as const) {
      expect((await verifySimpleSigning(bytes, ring)).payload.manifestDigest).toBe(digest);
    }
    const tampered = cleartext.replace('quay.io', 'kuay.io');
    expect(tampered).not.toBe(cleartext);
    await rejection(verifySimpleSigning(text(tampered), keyring));
    await rejection(verifySimpleSigning(text(armored.replace(/\n([A-Za-z0-9+/]{10})/, '\nAAAAAAAAAA')), keyring));
  });

  it('rejects a message signed by two keys, as gpgme does', async () => {
    const signed = await sign({
      message: await createMessage({ binary: PAYLOAD }),
      signingKeys: [
        await readPrivateKey({ armoredKey: keyA.privateKey }),
        await readPrivateKey({ armoredKey: keyB.privateKey }),
      ],
      format: 'binary',
    });
    const error = await rejection(
      verifySimpleSigning(signed, await readOpenPgpKeyring([text(keyA.publicKey), text(keyB.publicKey)])),
    );
    expect(error.message).toMatch(/2 signatures/);
  });

  it('rejects a signature by a key that has expired since', async () => {
    const day = 24 * 3600 * 1000;
    const old = await openpgpKey('Old', { date: new Date(Date.now() - 3 * day), keyExpirationTime: 86_400 });
    const signature = await signWith(old, PAYLOAD, new Date(Date.now() - 2.5 * day));
    const error = await rejection(verifySimpleSigning(signature, await readOpenPgpKeyring([text(old.publicKey)])));
    expect(error.message).toMatch(/not valid for signing now/);
  });

  it('rejects a gpg signature by a gpg key that has expired since (gpg says EXPKEYSIG)', async () => {
    const then = Math.floor(Date.now() / 1000) - 3 * 86_400;
    const faked = (at: number): string[] => ['--faked-system-time', `${at}`];
    const uid = 'Expired <expired@example.com>';
    const made = await home.gpg([
      ...faked(then),
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      '',
      '--quick-gen-key',
      uid,
      'ed25519',
      'sign',
      '1d',
    ]);
    expect(made.code).toBe(0);
    const signed = await home.gpg([...faked(then + 3600), '--sign', '--local-user', uid], { input: PAYLOAD });
    expect(signed.code).toBe(0);
    const checked = await home.gpg(['--status-fd', '2', '--decrypt'], { input: signed.stdout });
    expect(checked.stderr).toContain('[GNUPG:] EXPKEYSIG');
    const keyring = await readOpenPgpKeyring([(await home.gpg(['--export', uid])).stdout]);
    const error = await rejection(verifySimpleSigning(signed.stdout, keyring));
    expect(error.message).toMatch(/not valid for signing now/);
  });

  it('rejects a signature by a key revoked since', async () => {
    const signature = await signWith(keyB);
    const { publicKey: revoked } = await revokeKey({
      key: await readPrivateKey({ armoredKey: keyB.privateKey }),
      format: 'armored',
    });
    await rejection(verifySimpleSigning(signature, await readOpenPgpKeyring([text(revoked)])));
    // and the same signature verifies against the key before revocation
    await expect(
      verifySimpleSigning(signature, await readOpenPgpKeyring([text(keyB.publicKey)])),
    ).resolves.toBeDefined();
  });

  it('rejects a valid signature whose content is not a payload', async () => {
    const error = await rejection(
      verifySimpleSigning(
        await signWith(keyA, text('{"critical":{}}')),
        await readOpenPgpKeyring([text(keyA.publicKey)]),
      ),
    );
    expect(error.message).toMatch(/invalid simple-signing payload/);
  });

  it('surfaces an abort as the reason itself', async () => {
    const reason = new Error('stop');
    const keyring = await readOpenPgpKeyring([text(keyA.publicKey)]);
    await expect(
      verifySimpleSigning(await signWith(keyA), keyring, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
  });
});

describe('skopeo 1.9 interoperability', () => {
  it('accepts what skopeo standalone-sign makes', async () => {
    const fingerprint = await home.generateKey('K <k@example.com>', { passphrase: 'pass word' });
    const dir = await mkdtemp(join(tmpdir(), 'ferry-skopeo-'));
    try {
      await writeFile(join(dir, 'manifest.json'), MANIFEST);
      await writeFile(join(dir, 'pass'), 'pass word\n');
      const signed = await run(
        'skopeo',
        [
          'standalone-sign',
          '--passphrase-file',
          join(dir, 'pass'),
          '-o',
          join(dir, 'sig'),
          join(dir, 'manifest.json'),
          'quay.io/ferry/app:v1',
          fingerprint,
        ],
        { env: { GNUPGHOME: home.dir } },
      );
      expect(signed.stderr).toBe('');
      expect(signed.code).toBe(0);
      const { readFile } = await import('node:fs/promises');
      const keyring = await readOpenPgpKeyring([(await home.gpg(['--export', fingerprint])).stdout]);
      const result = await verifySimpleSigning(await readFile(join(dir, 'sig')), keyring);
      expect(result.keyFingerprint).toBe(fingerprint);
      expect(result.payload.dockerReference).toBe('quay.io/ferry/app:v1');
      expect(result.payload.manifestDigest).toBe(signingInput().manifestDigest);
      expect(result.payload.creator).toMatch(/^atomic /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
