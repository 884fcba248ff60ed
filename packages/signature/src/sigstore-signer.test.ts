import { parseDockerRef, parseNormalizedNamed } from '@ferry/reference';
import { describe, expect, it } from 'vitest';
import { encryptCosignPrivateKey } from './cosign-private-key.ts';
import { SIGSTORE_PAYLOAD_MEDIA_TYPE, SIGSTORE_SIGNATURE_ANNOTATION } from './sigstore-annotations.ts';
import { parseSigstorePayload } from './sigstore-payload.ts';
import { sigstoreSigner } from './sigstore-signer.ts';
import { verifySigstoreSignature } from './sigstore-verify.ts';
import { testKeys, testManifest } from './test-support/sigstore-fixtures.ts';

describe('sigstoreSigner', () => {
  it.each(['ec', 'ed25519', 'rsa'] as const)('signs a payload that verifies with the %s public key', async (kind) => {
    const keys = testKeys(kind);
    const signer = await sigstoreSigner({
      privateKey: encryptCosignPrivateKey(keys.privateKey, 'pw'),
      passphrase: 'pw',
      now: () => 1_700_000_000_500,
    });
    expect(signer.kind).toBe('sigstore');
    const { manifest, digest } = testManifest();
    const signature = await signer.sign({
      manifest,
      manifestDigest: digest,
      identity: parseDockerRef('quay.io/ns/app:v1'),
    });
    expect(signature.kind).toBe('sigstore');
    if (signature.kind !== 'sigstore') return;
    expect(signature.mediaType).toBe(SIGSTORE_PAYLOAD_MEDIA_TYPE);
    expect(Object.keys(signature.annotations)).toEqual([SIGSTORE_SIGNATURE_ANNOTATION]);
    expect(parseSigstorePayload(signature.payload)).toEqual({
      dockerReference: 'quay.io/ns/app:v1',
      manifestDigest: digest,
      creator: 'ferry',
      timestamp: 1_700_000_000,
    });
    expect(verifySigstoreSignature(signature, { publicKeys: [keys.publicPem] }).manifestDigest).toBe(digest);
    expect(() => verifySigstoreSignature(signature, { publicKeys: [testKeys(kind).publicPem] })).toThrow(
      expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID' }),
    );
  });

  it('refuses an identity with neither tag nor digest', async () => {
    const keys = testKeys();
    const signer = await sigstoreSigner({
      privateKey: encryptCosignPrivateKey(keys.privateKey, 'pw'),
      passphrase: 'pw',
    });
    const { manifest, digest } = testManifest();
    await expect(
      signer.sign({ manifest, manifestDigest: digest, identity: parseNormalizedNamed('quay.io/ns/app') }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('refuses a wrong passphrase up front', async () => {
    const keys = testKeys();
    await expect(
      sigstoreSigner({ privateKey: encryptCosignPrivateKey(keys.privateKey, 'pw'), passphrase: 'nope' }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
