import type { SigstoreSignature } from '@ferry/types';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  SIGSTORE_BUNDLE_ANNOTATION,
  SIGSTORE_CERTIFICATE_ANNOTATION,
  SIGSTORE_CHAIN_ANNOTATION,
  SIGSTORE_SIGNATURE_ANNOTATION,
} from './sigstore-annotations.ts';
import { type SigstoreTrust, verifySigstoreSignature } from './sigstore-verify.ts';
import {
  makeRekorSet,
  makeTestPki,
  signPayload,
  signWithFulcio,
  type TestPki,
  type TestPkiOptions,
  testKeys,
  testManifest,
} from './test-support/sigstore-fixtures.ts';

const ISSUER = 'https://oauth.example.com';
const EMAIL = 'signer@example.com';
const IDENTITY = 'quay.io/ns/app:v1';
const { digest } = testManifest();
const rekor = testKeys();
const now = Math.floor(Date.now() / 1000);

let pki: TestPki;
let otherPki: TestPki;
let fulcioTrust: SigstoreTrust;
beforeAll(() => {
  pki = makeTestPki();
  otherPki = makeTestPki();
  fulcioTrust = {
    fulcio: { caCertificates: [pki.rootPem], oidcIssuer: ISSUER, subjectEmail: EMAIL },
    rekorPublicKeys: [rekor.publicPem],
  };
});

const rejected = (signature: SigstoreSignature, trust: SigstoreTrust, message: RegExp) =>
  expect(() => verifySigstoreSignature(signature, trust)).toThrow(
    expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID', message: expect.stringMatching(message) }),
  );
const withAnnotations = (
  signature: SigstoreSignature,
  changes: Record<string, string | undefined>,
): SigstoreSignature => {
  const annotations: Record<string, string> = { ...signature.annotations };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete annotations[name];
    else annotations[name] = value;
  }
  return { ...signature, annotations };
};

describe('verifySigstoreSignature with public keys', () => {
  const keys = testKeys();
  const signature = signPayload(keys.privateKey, IDENTITY, digest);

  it('accepts a signature by any of the keys and returns the payload', () => {
    const payload = verifySigstoreSignature(signature, {
      publicKeys: [testKeys().publicPem, new TextEncoder().encode(keys.publicPem)],
    });
    expect(payload).toEqual({ dockerReference: IDENTITY, manifestDigest: digest });
  });

  it('refuses a tampered payload, another key, a garbage or missing signature annotation', () => {
    const tampered = { ...signature, payload: signPayload(keys.privateKey, 'quay.io/ns/app:v2', digest).payload };
    rejected(tampered, { publicKeys: [keys.publicPem] }, /cryptographic signature verification failed/);
    rejected(signature, { publicKeys: [testKeys().publicPem] }, /cryptographic signature verification failed/);
    rejected(
      withAnnotations(signature, { [SIGSTORE_SIGNATURE_ANNOTATION]: 'not base64!' }),
      { publicKeys: [keys.publicPem] },
      /base64/,
    );
    rejected(
      withAnnotations(signature, { [SIGSTORE_SIGNATURE_ANNOTATION]: undefined }),
      { publicKeys: [keys.publicPem] },
      /missing dev.cosignproject.cosign\/signature/,
    );
  });

  it('with Rekor keys, requires a SET logging one of the keys', () => {
    const base64Signature = signature.annotations[SIGSTORE_SIGNATURE_ANNOTATION] as string;
    const set = makeRekorSet({
      rekorKey: rekor.privateKey,
      keyOrCertificatePem: keys.publicPem,
      base64Signature,
      payload: signature.payload,
      integratedTime: now,
    });
    const trust = { publicKeys: [testKeys().publicPem, keys.publicPem], rekorPublicKeys: [rekor.publicPem] };
    expect(
      verifySigstoreSignature(withAnnotations(signature, { [SIGSTORE_BUNDLE_ANNOTATION]: set }), trust).manifestDigest,
    ).toBe(digest);
    rejected(signature, trust, /missing dev.sigstore.cosign\/bundle/);
    rejected(
      withAnnotations(signature, { [SIGSTORE_BUNDLE_ANNOTATION]: '{}' }),
      trust,
      /no public key verified against the Rekor SET/,
    );
  });

  it('refuses unusable trust data with ERR_INVALID_POLICY', () => {
    for (const trust of [
      { publicKeys: ['not a key'] },
      { publicKeys: [] },
      {},
      { publicKeys: [keys.publicPem], rekorPublicKeys: [testKeys('ed25519').publicPem] },
      {
        fulcio: { caCertificates: ['garbage'], oidcIssuer: ISSUER, subjectEmail: EMAIL },
        rekorPublicKeys: [rekor.publicPem],
      },
      { fulcio: { caCertificates: [keys.publicPem], oidcIssuer: ISSUER, subjectEmail: EMAIL } },
    ] as SigstoreTrust[]) {
      expect(() => verifySigstoreSignature(signature, trust)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_POLICY' }),
      );
    }
  });
});

describe('verifySigstoreSignature with Fulcio', () => {
  it('accepts a leaf chained through the intermediate, with the issuer and e-mail, logged in Rekor', () => {
    expect(verifySigstoreSignature(signWithFulcio(pki, rekor.privateKey, IDENTITY, digest), fulcioTrust)).toEqual({
      dockerReference: IDENTITY,
      manifestDigest: digest,
    });
  });

  it.each(['v1', 'v2'] as const)('accepts the OIDC issuer in the %s extension alone', (issuerExtensions) => {
    const onlyOne = makeTestPki({ issuerExtensions });
    const trust = {
      ...fulcioTrust,
      fulcio: { caCertificates: [onlyOne.rootPem], oidcIssuer: ISSUER, subjectEmail: EMAIL },
    };
    expect(
      verifySigstoreSignature(signWithFulcio(onlyOne, rekor.privateKey, IDENTITY, digest), trust).dockerReference,
    ).toBe(IDENTITY);
  });

  it('refuses a certificate from another CA', () => {
    rejected(signWithFulcio(otherPki, rekor.privateKey, IDENTITY, digest), fulcioTrust, /no valid chain/);
  });

  it('refuses a chain without the intermediate', () => {
    const signature = withAnnotations(signWithFulcio(pki, rekor.privateKey, IDENTITY, digest), {
      [SIGSTORE_CHAIN_ANNOTATION]: undefined,
    });
    rejected(signature, fulcioTrust, /no valid chain/);
  });

  it('refuses a wrong e-mail or issuer', () => {
    const signature = signWithFulcio(pki, rekor.privateKey, IDENTITY, digest);
    rejected(
      signature,
      { ...fulcioTrust, fulcio: { caCertificates: [pki.rootPem], oidcIssuer: ISSUER, subjectEmail: 'x@example.com' } },
      /required email/,
    );
    rejected(
      signature,
      { ...fulcioTrust, fulcio: { caCertificates: [pki.rootPem], oidcIssuer: 'https://x', subjectEmail: EMAIL } },
      /OIDC issuer/,
    );
  });

  it('refuses a certificate without the issuer extension, or without code signing', () => {
    const noIssuer = makeTestPki({ issuerExtensions: 'none' });
    const trust = (p: TestPki) => ({
      ...fulcioTrust,
      fulcio: { caCertificates: [p.rootPem], oidcIssuer: ISSUER, subjectEmail: EMAIL },
    });
    rejected(
      signWithFulcio(noIssuer, rekor.privateKey, IDENTITY, digest),
      trust(noIssuer),
      /missing the issuer extension/,
    );
    const serverAuth = makeTestPki({ extKeyUsage: 'serverAuth' });
    rejected(signWithFulcio(serverAuth, rekor.privateKey, IDENTITY, digest), trust(serverAuth), /no valid chain/);
  });

  describe('CA constraints', () => {
    const CA = 'basicConstraints=critical,CA:TRUE';
    const verifies = (options: TestPkiOptions): boolean => {
      const chained = makeTestPki(options);
      const trust = {
        ...fulcioTrust,
        fulcio: { caCertificates: [chained.rootPem], oidcIssuer: ISSUER, subjectEmail: EMAIL },
      };
      try {
        verifySigstoreSignature(signWithFulcio(chained, rekor.privateKey, IDENTITY, digest), trust);
        return true;
      } catch (error) {
        expect(error).toMatchObject({
          code: 'ERR_SIGNATURE_INVALID',
          message: expect.stringMatching(/no valid chain/),
        });
        return false;
      }
    };

    it('refuses an intermediate whose pathlen is smaller than the intermediates below it', () => {
      expect(verifies({ intermediates: [`${CA},pathlen:0`, CA] })).toBe(false);
      expect(verifies({ intermediates: [`${CA},pathlen:1`, CA] })).toBe(true);
      expect(verifies({ intermediates: [`${CA},pathlen:0`] })).toBe(true);
    });

    it('applies the root pathlen too', () => {
      expect(verifies({ rootPathLen: 0 })).toBe(false);
      expect(verifies({ rootPathLen: 1 })).toBe(true);
      expect(verifies({ rootPathLen: 1, intermediates: [CA, CA] })).toBe(false);
    });

    it('refuses critical name constraints, which are not enforced, and ignores non-critical ones', () => {
      expect(verifies({ intermediates: [`${CA}\nnameConstraints=critical,permitted;email:example.com`] })).toBe(false);
      expect(verifies({ intermediates: [`${CA}\nnameConstraints=permitted;email:example.com`] })).toBe(true);
    });
  });

  it('refuses a certificate that was expired, or not yet valid, at the Rekor integration time', () => {
    rejected(signWithFulcio(pki, rekor.privateKey, IDENTITY, digest, now + 3 * 86400), fulcioTrust, /no valid chain/);
    rejected(signWithFulcio(pki, rekor.privateKey, IDENTITY, digest, now - 3600), fulcioTrust, /no valid chain/);
  });

  it('refuses a missing or garbage bundle, a SET by another Rekor key, missing or garbage certificates', () => {
    const signature = signWithFulcio(pki, rekor.privateKey, IDENTITY, digest);
    rejected(
      withAnnotations(signature, { [SIGSTORE_BUNDLE_ANNOTATION]: undefined }),
      fulcioTrust,
      /missing dev.sigstore.cosign\/bundle/,
    );
    rejected(withAnnotations(signature, { [SIGSTORE_BUNDLE_ANNOTATION]: 'garbage' }), fulcioTrust, /not valid JSON/);
    rejected(signWithFulcio(pki, testKeys().privateKey, IDENTITY, digest), fulcioTrust, /Rekor SET failed/);
    rejected(
      withAnnotations(signature, { [SIGSTORE_CERTIFICATE_ANNOTATION]: undefined }),
      fulcioTrust,
      /missing dev.sigstore.cosign\/certificate/,
    );
    rejected(
      withAnnotations(signature, { [SIGSTORE_CERTIFICATE_ANNOTATION]: 'garbage' }),
      fulcioTrust,
      /not in PEM format/,
    );
    rejected(withAnnotations(signature, { [SIGSTORE_CHAIN_ANNOTATION]: 'garbage' }), fulcioTrust, /certificate chain/);
  });

  it('refuses a SET and certificate that do not belong to the signature', () => {
    const mine = signWithFulcio(pki, rekor.privateKey, IDENTITY, digest);
    const other = signWithFulcio(pki, rekor.privateKey, 'quay.io/ns/app:v2', digest);
    rejected({ ...mine, payload: other.payload }, fulcioTrust, /does not match/);
  });
});
