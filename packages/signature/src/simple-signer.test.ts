import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isImageError, type Signature } from '@ferry/types';
import { readPrivateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleSigner } from './simple-signer.ts';
import { readOpenPgpKeyring, verifySimpleSigning } from './simple-verify.ts';
import { MANIFEST, named, openpgpKey, signingInput, type TestKey } from './test-support/simple-fixtures.ts';
import { type GnupgHome, makeGnupgHome, run } from './test-support/simple-gpg.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const PASSPHRASE = 'correct horse battery';

function bytesOf(signature: Signature): Uint8Array {
  if (signature.kind !== 'simple-signing') throw new Error(`unexpected ${signature.kind}`);
  return signature.bytes;
}

async function invalidArgument(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  return error as Error;
}

let plain: TestKey;
let locked: TestKey;
let other: TestKey;

beforeAll(async () => {
  [plain, locked, other] = await Promise.all([
    openpgpKey('Plain'),
    openpgpKey('Locked', { passphrase: PASSPHRASE }),
    openpgpKey('Other'),
  ]);
});

describe('simpleSigner', () => {
  it('signs the c/image payload for the identity and digest, verifiable by the key', async () => {
    const signer = await simpleSigner({ privateKey: plain.privateKey });
    expect(signer.kind).toBe('simple-signing');
    const before = Math.floor(Date.now() / 1000);
    const signature = await signer.sign(signingInput('busybox:1'));
    const { payload, keyFingerprint } = await verifySimpleSigning(
      bytesOf(signature),
      await readOpenPgpKeyring([text(plain.publicKey)]),
    );
    expect(keyFingerprint).toBe(plain.fingerprint);
    expect(payload).toMatchObject({
      dockerReference: 'docker.io/library/busybox:1',
      manifestDigest: signingInput().manifestDigest,
      creator: 'ferry',
    });
    expect(payload.timestamp).toBeGreaterThanOrEqual(before);
    expect(payload.timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('reads a binary secret key', async () => {
    const binary = (await readPrivateKey({ armoredKey: plain.privateKey })).write();
    const signer = await simpleSigner({ privateKey: binary });
    const signature = await signer.sign(signingInput());
    const keyring = await readOpenPgpKeyring([text(plain.publicKey)]);
    await expect(verifySimpleSigning(bytesOf(signature), keyring)).resolves.toMatchObject({
      keyFingerprint: plain.fingerprint,
    });
  });

  it('unlocks an encrypted key with its passphrase', async () => {
    const signer = await simpleSigner({ privateKey: text(locked.privateKey), passphrase: PASSPHRASE });
    const keyring = await readOpenPgpKeyring([text(locked.publicKey)]);
    const { keyFingerprint } = await verifySimpleSigning(bytesOf(await signer.sign(signingInput())), keyring);
    expect(keyFingerprint).toBe(locked.fingerprint);
  });

  it('refuses a wrong passphrase without naming it', async () => {
    const error = await invalidArgument(simpleSigner({ privateKey: locked.privateKey, passphrase: 'wrong guess' }));
    expect(error.message).toMatch(/wrong passphrase/);
    expect(error.message).not.toContain('wrong guess');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('wrong guess');
  });

  it('refuses an encrypted key without a passphrase', async () => {
    const error = await invalidArgument(simpleSigner({ privateKey: locked.privateKey }));
    expect(error.message).toMatch(/passphrase is needed/);
  });

  it('refuses a public key and garbage', async () => {
    await invalidArgument(simpleSigner({ privateKey: plain.publicKey }));
    const binaryPublic = (await readPrivateKey({ armoredKey: plain.privateKey })).toPublic().write();
    await invalidArgument(simpleSigner({ privateKey: binaryPublic }));
    await invalidArgument(simpleSigner({ privateKey: text('nonsense') }));
  });

  it('refuses several keys unless a fingerprint chooses one', async () => {
    const binary = new Uint8Array([
      ...(await readPrivateKey({ armoredKey: plain.privateKey })).write(),
      ...(await readPrivateKey({ armoredKey: other.privateKey })).write(),
    ]);
    const error = await invalidArgument(simpleSigner({ privateKey: binary }));
    expect(error.message).toMatch(/2 secret keys/);
    expect(error.message).toContain(other.fingerprint);
    const signer = await simpleSigner({ privateKey: binary, fingerprint: other.fingerprint.toLowerCase() });
    const keyring = await readOpenPgpKeyring([text(plain.publicKey), text(other.publicKey)]);
    const { keyFingerprint } = await verifySimpleSigning(bytesOf(await signer.sign(signingInput())), keyring);
    expect(keyFingerprint).toBe(other.fingerprint);
    const byKeyId = await simpleSigner({ privateKey: binary, fingerprint: plain.fingerprint.slice(-16) });
    const signed = await verifySimpleSigning(bytesOf(await byKeyId.sign(signingInput())), keyring);
    expect(signed.keyFingerprint).toBe(plain.fingerprint);
    await invalidArgument(simpleSigner({ privateKey: binary, fingerprint: 'ABCDEF' }));
  });

  it('refuses to sign a reference with neither tag nor digest', async () => {
    const signer = await simpleSigner({ privateKey: plain.privateKey });
    const input = { ...signingInput(), identity: named('quay.io/ferry/app') };
    await invalidArgument(signer.sign(input));
  });

  it('surfaces an abort as the reason itself', async () => {
    const signer = await simpleSigner({ privateKey: plain.privateKey });
    const reason = new Error('stop');
    await expect(signer.sign(signingInput(), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});

describe('skopeo 1.9 interoperability', () => {
  let home: GnupgHome;
  beforeAll(async () => {
    home = await makeGnupgHome();
  });
  afterAll(async () => home.cleanup());

  it('skopeo standalone-verify accepts a simpleSigner signature (GnuPG keyring)', async () => {
    expect((await home.gpg(['--import'], { input: plain.publicKey })).code).toBe(0);
    const signer = await simpleSigner({ privateKey: plain.privateKey });
    const signature = bytesOf(await signer.sign(signingInput('quay.io/ferry/app:v1')));
    const dir = await mkdtemp(join(tmpdir(), 'ferry-skopeo-'));
    try {
      await writeFile(join(dir, 'manifest.json'), MANIFEST);
      await writeFile(join(dir, 'sig'), signature);
      const args = [join(dir, 'manifest.json'), 'quay.io/ferry/app:v1', plain.fingerprint, join(dir, 'sig')];
      const verified = await run('skopeo', ['standalone-verify', ...args], { env: { GNUPGHOME: home.dir } });
      expect(verified.stderr).toBe('');
      expect(verified.code).toBe(0);
      expect(verified.stdout.toString()).toContain(`Signature verified, digest ${signingInput().manifestDigest}`);
      // the same signature, checked for another identity, is refused: skopeo really read our payload
      const wrong = await run(
        'skopeo',
        ['standalone-verify', args[0] as string, 'quay.io/ferry/other:v1', ...args.slice(2)],
        {
          env: { GNUPGHOME: home.dir },
        },
      );
      expect(wrong.code).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
