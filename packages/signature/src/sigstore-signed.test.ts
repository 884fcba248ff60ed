import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDockerRef } from '@ferry/reference';
import type { Signature } from '@ferry/types';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyImage } from './policy-image.ts';
import type { SigstoreSignedRequirement } from './policy-types.ts';
import { evaluateSigstoreSigned } from './sigstore-signed.ts';
import {
  makeTestPki,
  signPayload,
  signWithFulcio,
  type TestPki,
  testKeys,
  testManifest,
} from './test-support/sigstore-fixtures.ts';

const enc = (text: string) => new TextEncoder().encode(text);
const keys = testKeys();
const stranger = testKeys();
const { manifest, digest } = testManifest();
const other = testManifest('b');
const image = (signatures: Signature[], reference = 'quay.io/ns/app:v1'): PolicyImage => ({
  manifest,
  manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
  dockerReference: parseDockerRef(reference),
  signatures,
  description: `docker://${reference}`,
});
const byKey = (
  signedIdentity: SigstoreSignedRequirement['signedIdentity'] = { type: 'matchRepoDigestOrExact' },
): SigstoreSignedRequirement => ({
  type: 'sigstoreSigned',
  keys: { kind: 'datas', datas: [enc(stranger.publicPem), enc(keys.publicPem)] },
  signedIdentity,
});
const rejectedWith = (promise: Promise<void>, message: RegExp) =>
  expect(promise).rejects.toMatchObject({ code: 'ERR_POLICY_REJECTED', message: expect.stringMatching(message) });

describe('evaluateSigstoreSigned', () => {
  const good = signPayload(keys.privateKey, 'quay.io/ns/app:v1', digest);

  it('accepts the first good sigstore signature, skipping simple-signing ones and failed ones', async () => {
    const simple: Signature = { kind: 'simple-signing', bytes: new Uint8Array([0xa3, 1]) };
    const bad = signPayload(stranger.privateKey, 'quay.io/ns/app:v1', other.digest);
    await expect(evaluateSigstoreSigned(byKey(), image([simple, bad, good]))).resolves.toBeUndefined();
  });

  it('reads keys from files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-sigstore-'));
    writeFileSync(join(dir, 'cosign.pub'), keys.publicPem);
    const requirement: SigstoreSignedRequirement = {
      ...byKey(),
      keys: { kind: 'path', path: join(dir, 'cosign.pub') },
    };
    await expect(evaluateSigstoreSigned(requirement, image([good]))).resolves.toBeUndefined();
  });

  it('rejects an image without signatures, or with only other kinds and attachments', async () => {
    await rejectedWith(
      evaluateSigstoreSigned(byKey(), image([])),
      /docker:\/\/quay.io\/ns\/app:v1.*no signature exists$/,
    );
    const attachment: Signature = { ...good, mediaType: 'application/vnd.dev.cosign.attestation.v1+json' };
    await rejectedWith(
      evaluateSigstoreSigned(byKey(), image([{ kind: 'simple-signing', bytes: new Uint8Array([1]) }, attachment])),
      /no signature exists \(2 /,
    );
  });

  it('rejects a signature for another manifest', async () => {
    await rejectedWith(
      evaluateSigstoreSigned(byKey(), image([signPayload(keys.privateKey, 'quay.io/ns/app:v1', other.digest)])),
      /signature 1: signature for digest sha256:[0-9a-f]+ does not match/,
    );
  });

  it('rejects a signature for another identity, as signedIdentity says', async () => {
    const signature = signPayload(keys.privateKey, 'quay.io/ns/app:v2', digest);
    await rejectedWith(
      evaluateSigstoreSigned(byKey(), image([signature])),
      /identity "quay.io\/ns\/app:v2" is not accepted/,
    );
    await expect(
      evaluateSigstoreSigned(byKey({ type: 'matchRepository' }), image([signature])),
    ).resolves.toBeUndefined();
  });

  it('gives one reason per signature when all fail', async () => {
    const byStranger = signPayload(stranger.privateKey, 'quay.io/ns/app:v1', digest);
    const requirement = { ...byKey(), keys: { kind: 'data', data: enc(keys.publicPem) } } as const;
    const garbage: Signature = { ...good, annotations: { 'dev.cosignproject.cosign/signature': '!!' } };
    await rejectedWith(
      evaluateSigstoreSigned(
        requirement,
        image([byStranger, { kind: 'simple-signing', bytes: new Uint8Array([1]) }, garbage]),
      ),
      /none of the signatures were accepted: signature 1: cryptographic .*; signature 3: base64/,
    );
  });

  it('rejects when the key material is unusable', async () => {
    const requirement = { ...byKey(), keys: { kind: 'data', data: enc('not a key') } } as const;
    await rejectedWith(
      evaluateSigstoreSigned(requirement, image([good])),
      /rejected by sigstoreSigned: parsing public key 1/,
    );
  });

  it('rejects with the abort reason', async () => {
    const reason = new Error('stop');
    await expect(evaluateSigstoreSigned(byKey(), image([good]), { signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
  });

  describe('with Fulcio and Rekor', () => {
    let pki: TestPki;
    beforeAll(() => {
      pki = makeTestPki();
    });
    const rekor = testKeys();
    const requirement = (email: string): SigstoreSignedRequirement => ({
      type: 'sigstoreSigned',
      fulcio: {
        ca: { kind: 'data', data: enc(pki.rootPem) },
        oidcIssuer: 'https://oauth.example.com',
        subjectEmail: email,
      },
      rekorPublicKeys: { kind: 'data', data: enc(rekor.publicPem) },
      signedIdentity: { type: 'matchRepoDigestOrExact' },
    });

    it('accepts a certificate signature and rejects it for another e-mail', async () => {
      const signature = signWithFulcio(pki, rekor.privateKey, 'quay.io/ns/app:v1', digest);
      await expect(
        evaluateSigstoreSigned(requirement('signer@example.com'), image([signature])),
      ).resolves.toBeUndefined();
      await rejectedWith(evaluateSigstoreSigned(requirement('x@example.com'), image([signature])), /required email/);
    });
  });
});
