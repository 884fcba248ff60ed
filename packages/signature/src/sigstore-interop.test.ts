import { matchesDigest } from '@ferry/manifest';
import { decodeSignature, type SigstoreSignature } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { verifySigstoreSignature } from './sigstore-verify.ts';
import * as v from './test-support/sigstore-cimage-vectors.ts';

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const text = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const sigstore = (b64: string) => decodeSignature(bytes(b64)) as SigstoreSignature;

describe('signatures made by cosign and the public Sigstore (containers/image fixtures)', () => {
  it('verifies a cosign key signature with the public key', () => {
    const payload = verifySigstoreSignature(sigstore(v.VALID_SIGNATURE), { publicKeys: [text(v.COSIGN_PUB)] });
    expect(payload.dockerReference).toBe('192.168.64.2:5000/cosign-signed-single-sample');
    expect(matchesDigest(bytes(v.VALID_MANIFEST), payload.manifestDigest)).toBe(true);
  });

  it('verifies a Fulcio certificate signature with its Rekor SET', () => {
    const payload = verifySigstoreSignature(sigstore(v.FULCIO_REKOR_VALID_SIGNATURE), {
      fulcio: {
        caCertificates: [text(v.FULCIO_CA)],
        oidcIssuer: 'https://github.com/login/oauth',
        subjectEmail: 'mitr@redhat.com',
      },
      rekorPublicKeys: [text(v.REKOR_PUB)],
    });
    expect(matchesDigest(bytes(v.FULCIO_REKOR_VALID_MANIFEST), payload.manifestDigest)).toBe(true);
  });

  it('verifies a key signature logged in Rekor', () => {
    const payload = verifySigstoreSignature(sigstore(v.KEY_REKOR_VALID_SIGNATURE), {
      publicKeys: [text(v.COSIGN_PUB), text(v.COSIGN2_PUB)],
      rekorPublicKeys: [text(v.REKOR_PUB)],
    });
    expect(matchesDigest(bytes(v.KEY_REKOR_VALID_MANIFEST), payload.manifestDigest)).toBe(true);
  });

  const fulcioTrust = (oidcIssuer: string, subjectEmail: string, rekor = v.REKOR_PUB) => ({
    fulcio: { caCertificates: [text(v.FULCIO_CA)], oidcIssuer, subjectEmail },
    rekorPublicKeys: [text(rekor)],
  });
  it.each([
    ['another e-mail', fulcioTrust('https://github.com/login/oauth', 'someone@redhat.com'), /required email/],
    ['another issuer', fulcioTrust('https://accounts.google.com', 'mitr@redhat.com'), /OIDC issuer/],
    [
      'another Rekor key',
      fulcioTrust('https://github.com/login/oauth', 'mitr@redhat.com', v.COSIGN_PUB),
      /Rekor SET failed/,
    ],
  ])('refuses the Fulcio signature for %s', (_why, trust, message) => {
    expect(() => verifySigstoreSignature(sigstore(v.FULCIO_REKOR_VALID_SIGNATURE), trust)).toThrow(
      expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID', message: expect.stringMatching(message) }),
    );
  });

  it('refuses a cosign signature checked against another key', () => {
    expect(() => verifySigstoreSignature(sigstore(v.VALID_SIGNATURE), { publicKeys: [text(v.COSIGN2_PUB)] })).toThrow(
      expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID' }),
    );
  });

  it('refuses a key signature whose SET logs another key than the one configured', () => {
    expect(() =>
      verifySigstoreSignature(sigstore(v.KEY_REKOR_VALID_SIGNATURE), {
        publicKeys: [text(v.COSIGN_PUB)],
        rekorPublicKeys: [text(v.REKOR_PUB)],
      }),
    ).toThrow(
      expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID', message: expect.stringMatching(/does not match/) }),
    );
  });
});
