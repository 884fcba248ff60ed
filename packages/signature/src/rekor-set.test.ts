import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyRekorSet } from './rekor-set.ts';
import { makeRekorSet, testKeys } from './test-support/sigstore-fixtures.ts';

const rekor = testKeys();
const signer = testKeys();
const payload = new TextEncoder().encode('{"critical":{}}');
const base64Signature = sign('sha256', payload, signer.privateKey).toString('base64');
const base = {
  rekorKey: rekor.privateKey,
  keyOrCertificatePem: signer.publicPem,
  base64Signature,
  payload,
  integratedTime: 1_670_870_899,
};
const input = (set: string) => ({
  rekorPublicKeys: [rekor.publicKey],
  set,
  keyOrCertificatePem: signer.publicPem,
  base64Signature,
  payload,
});
const rejects = (set: string, message: RegExp, overrides: Partial<ReturnType<typeof input>> = {}) =>
  expect(() => verifyRekorSet({ ...input(set), ...overrides })).toThrow(
    expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID', message: expect.stringMatching(message) }),
  );

describe('verifyRekorSet', () => {
  it('accepts a SET signed over the canonical JSON payload and returns the integration time', () => {
    const time = verifyRekorSet(input(makeRekorSet(base)));
    expect(time.toISOString()).toBe('2022-12-12T18:48:19.000Z');
  });

  it('accepts when any of several Rekor keys signed', () => {
    const set = makeRekorSet(base);
    expect(verifyRekorSet({ ...input(set), rekorPublicKeys: [testKeys().publicKey, rekor.publicKey] })).toBeInstanceOf(
      Date,
    );
  });

  it('refuses a SET signed by another key', () => {
    rejects(makeRekorSet({ ...base, rekorKey: testKeys().privateKey }), /verification of Rekor SET failed/);
  });

  it('refuses a SET whose payload was altered after signing', () => {
    const set = JSON.parse(makeRekorSet(base));
    set.Payload.integratedTime += 1;
    rejects(JSON.stringify(set), /verification of Rekor SET failed/);
  });

  it('refuses a logged entry for another key, signature or payload', () => {
    rejects(makeRekorSet(base), /publicKey in Rekor SET does not match/, { keyOrCertificatePem: testKeys().publicPem });
    rejects(makeRekorSet(base), /signature in Rekor SET does not match/, {
      base64Signature: sign('sha256', payload, signer.privateKey).toString('base64'),
    });
    rejects(makeRekorSet(base), /payload in Rekor SET does not match/, { payload: new TextEncoder().encode('{}') });
  });

  it.each([
    [
      'another kind',
      (b: Record<string, unknown>) => {
        b.kind = 'rekord';
      },
      /invalid kind/,
    ],
    [
      'another API version',
      (b: Record<string, unknown>) => {
        b.apiVersion = '0.0.2';
      },
      /unsupported Rekor SET Payload/,
    ],
    [
      'no API version',
      (b: Record<string, unknown>) => {
        delete b.apiVersion;
      },
      /missing Rekor SET Payload API version/,
    ],
    [
      'sha512 data',
      (b: Record<string, unknown>) => {
        (b.spec as { data: { hash: { algorithm: string } } }).data.hash.algorithm = 'sha512';
      },
      /data.hash.algorithm/,
    ],
    [
      'no signature',
      (b: Record<string, unknown>) => {
        delete (b.spec as Record<string, unknown>).signature;
      },
      /missing "signature"/,
    ],
    [
      'no data',
      (b: Record<string, unknown>) => {
        delete (b.spec as Record<string, unknown>).data;
      },
      /missing "data"/,
    ],
  ])('refuses a hashedrekord body with %s', (_why, editBody, message) => {
    rejects(makeRekorSet({ ...base, editBody }), message);
  });

  it.each([
    ['garbage', 'this is not a valid SET'],
    ['an empty string', ''],
    ['an extra member', JSON.stringify({ ...JSON.parse(makeRekorSet(base)), Extra: 1 })],
    ['a missing payload', JSON.stringify({ SignedEntryTimestamp: 'AA==' })],
    ['a non-base64 timestamp', JSON.stringify({ ...JSON.parse(makeRekorSet(base)), SignedEntryTimestamp: '@@' })],
  ])('refuses a bundle that is %s', (_why, set) => {
    expect(() => verifyRekorSet(input(set))).toThrow(expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID' }));
  });
});
