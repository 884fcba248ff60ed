import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isImageError, type Signature } from '@ferry/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportGpgPublicKeys } from './gpg-keys.ts';
import { gpgSigner } from './gpg-signer.ts';
import { readOpenPgpKeyring, verifySimpleSigning } from './simple-verify.ts';
import { signingInput } from './test-support/simple-fixtures.ts';
import { type GnupgHome, makeGnupgHome } from './test-support/simple-gpg.ts';

const PASSPHRASE = 'open sesame';

function bytesOf(signature: Signature): Uint8Array {
  if (signature.kind !== 'simple-signing') throw new Error(`unexpected ${signature.kind}`);
  return signature.bytes;
}

async function failure(promise: Promise<unknown>, code: 'ERR_INVALID_ARGUMENT' | 'ERR_IO'): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isImageError(error, code), String(error)).toBe(true);
  return error as Error;
}

let home: GnupgHome;
let plain: string;
let locked: string;

beforeAll(async () => {
  home = await makeGnupgHome();
  plain = await home.generateKey('Plain <plain@example.com>');
  locked = await home.generateKey('Locked <locked@example.com>', { passphrase: PASSPHRASE });
}, 30_000);
afterAll(async () => home.cleanup());

describe('gpgSigner', () => {
  it('signs with a key that has no passphrase; gpg and we verify it', async () => {
    const signer = gpgSigner({ fingerprint: plain, homeDir: home.dir });
    expect(signer.kind).toBe('simple-signing');
    const bytes = bytesOf(await signer.sign(signingInput()));
    const keyring = await readOpenPgpKeyring([await exportGpgPublicKeys([plain], { homeDir: home.dir })]);
    const { payload, keyFingerprint } = await verifySimpleSigning(bytes, keyring);
    expect(keyFingerprint).toBe(plain);
    expect(payload).toMatchObject({ dockerReference: 'quay.io/ferry/app:v1', creator: 'ferry' });
    const decrypted = await home.gpg(['--status-fd', '2', '--decrypt'], { input: bytes });
    expect(decrypted.stderr).toContain(`[GNUPG:] VALIDSIG ${plain}`);
  });

  it('signs with a passphrase given through loopback', async () => {
    const signer = gpgSigner({ fingerprint: locked, passphrase: PASSPHRASE, homeDir: home.dir });
    const bytes = bytesOf(await signer.sign(signingInput()));
    const keyring = await readOpenPgpKeyring([await exportGpgPublicKeys([locked], { homeDir: home.dir })]);
    expect((await verifySimpleSigning(bytes, keyring)).keyFingerprint).toBe(locked);
  });

  it('refuses a wrong passphrase without naming it', async () => {
    const signer = gpgSigner({ fingerprint: locked, passphrase: 'not it at all', homeDir: home.dir });
    const error = await failure(signer.sign(signingInput()), 'ERR_INVALID_ARGUMENT');
    expect(error.message).toMatch(/wrong passphrase/);
    expect(error.message).not.toContain('not it at all');
  });

  it('refuses an encrypted key without a passphrase (no pinentry without a terminal)', async () => {
    const signer = gpgSigner({ fingerprint: locked, homeDir: home.dir });
    const error = await failure(signer.sign(signingInput()), 'ERR_INVALID_ARGUMENT');
    expect(error.message).toMatch(/needs a passphrase/);
  });

  it('refuses an unknown key', async () => {
    const signer = gpgSigner({ fingerprint: 'DEADBEEF'.repeat(5), homeDir: home.dir });
    const error = await failure(signer.sign(signingInput()), 'ERR_INVALID_ARGUMENT');
    expect(error.message).toMatch(/no usable secret key/);
  });

  it('refuses a passphrase with a line break and an empty fingerprint up front', () => {
    expect(() => gpgSigner({ fingerprint: plain, passphrase: 'a\nb' })).toThrow(/line break/);
    expect(() => gpgSigner({ fingerprint: ' ' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('reports a missing gpg as ERR_IO', async () => {
    const signer = gpgSigner({ fingerprint: plain, gpgPath: '/nonexistent/gpg' });
    const error = await failure(signer.sign(signingInput()), 'ERR_IO');
    expect(error.message).toMatch(/gpg not found/);
  });

  it('kills gpg on abort and rejects with the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-fake-gpg-'));
    try {
      const fake = join(dir, 'gpg');
      await writeFile(fake, '#!/bin/sh\nexec sleep 30\n');
      await chmod(fake, 0o755);
      const signer = gpgSigner({ fingerprint: plain, gpgPath: fake });
      const reason = new Error('stop');
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(reason), 100);
      await expect(signer.sign(signingInput(), { signal: controller.signal })).rejects.toBe(reason);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('exportGpgPublicKeys', () => {
  it('exports several keys from the GnuPG keyring', async () => {
    const keyring = await readOpenPgpKeyring([await exportGpgPublicKeys([plain, locked], { homeDir: home.dir })]);
    expect([...keyring.fingerprints].sort()).toEqual([plain, locked].sort());
    expect(keyring.keys.every((key) => !key.isPrivate())).toBe(true);
  });

  it('refuses an unknown key and an empty list', async () => {
    for (const unknown of ['0123456789ABCDEF'.repeat(2), `${'0123456789ABCDEF'.repeat(2)}01234567`]) {
      const error = await failure(exportGpgPublicKeys([unknown], { homeDir: home.dir }), 'ERR_INVALID_ARGUMENT');
      expect(error.message).toContain(`no public key ${unknown}`);
    }
    await failure(exportGpgPublicKeys([], { homeDir: home.dir }), 'ERR_INVALID_ARGUMENT');
  });
});
