import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Digest, isImageError, parseDigest, type Signature } from '@ferry/types';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyImage } from './policy-image.ts';
import type { SignedByRequirement, SignedIdentity } from './policy-types.ts';
import { evaluateSignedBy } from './signed-by.ts';
import { simpleSigner } from './simple-signer.ts';
import { MANIFEST, named, openpgpKey, signingInput, type TestKey } from './test-support/simple-fixtures.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const sha256 = (data: Uint8Array | string): Digest =>
  parseDigest(`sha256:${createHash('sha256').update(data).digest('hex')}`);
const REF = 'quay.io/ferry/app:v1';

let trusted: TestKey;
let stranger: TestKey;

beforeAll(async () => {
  [trusted, stranger] = await Promise.all([openpgpKey('Trusted'), openpgpKey('Stranger')]);
});

function requirement(
  key: TestKey = trusted,
  signedIdentity: SignedIdentity = { type: 'matchRepoDigestOrExact' },
): SignedByRequirement {
  return { type: 'signedBy', keyType: 'GPGKeys', keys: { kind: 'data', data: text(key.publicKey) }, signedIdentity };
}

function image(signatures: readonly Signature[], manifest: Uint8Array = MANIFEST, reference = REF): PolicyImage {
  return {
    manifest,
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    dockerReference: named(reference),
    signatures,
    description: `docker://${reference}`,
  };
}

async function signature(
  key: TestKey = trusted,
  options: { reference?: string; manifest?: Uint8Array; digest?: Digest } = {},
): Promise<Signature> {
  const signer = await simpleSigner({ privateKey: key.privateKey });
  const input = signingInput(options.reference ?? REF, options.manifest ?? MANIFEST);
  return signer.sign(options.digest === undefined ? input : { ...input, manifestDigest: options.digest });
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isImageError(error, 'ERR_POLICY_REJECTED'), String(error)).toBe(true);
  return (error as Error).message;
}

describe('evaluateSignedBy', () => {
  it('accepts a signature by a trusted key for this manifest and identity', async () => {
    await expect(evaluateSignedBy(requirement(), image([await signature()]))).resolves.toBeUndefined();
  });

  it('reads the keys from a file, among several keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-signed-by-'));
    try {
      const path = join(dir, 'keys.asc');
      await writeFile(path, `${stranger.publicKey}`);
      const other = join(dir, 'trusted.asc');
      await writeFile(other, trusted.publicKey);
      const req: SignedByRequirement = { ...requirement(), keys: { kind: 'paths', paths: [path, other] } };
      await expect(evaluateSignedBy(req, image([await signature()]))).resolves.toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('accepts when one good signature follows bad and sigstore ones', async () => {
    const sigstore: Signature = {
      kind: 'sigstore',
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      payload: text('{}'),
      annotations: {},
    };
    const sigs = [
      sigstore,
      await signature(stranger),
      { kind: 'simple-signing' as const, bytes: text('junk') },
      await signature(),
    ];
    await expect(evaluateSignedBy(requirement(), image(sigs))).resolves.toBeUndefined();
  });

  it('rejects a signature for another digest', async () => {
    const other = text('{"schemaVersion":2}');
    const message = await rejection(
      evaluateSignedBy(requirement(), image([await signature(trusted, { manifest: other })])),
    );
    expect(message).toContain(`signature for digest ${sha256(other)} does not match`);
    expect(message).toContain(`docker://${REF} rejected by signedBy`);
  });

  it('rejects a signature for another identity, per signedIdentity', async () => {
    const sig = await signature(trusted, { reference: 'quay.io/ferry/app:v2' });
    const message = await rejection(evaluateSignedBy(requirement(trusted, { type: 'matchExact' }), image([sig])));
    expect(message).toMatch(/identity "quay.io\/ferry\/app:v2" is not accepted \(matchExact\)/);
    await expect(
      evaluateSignedBy(requirement(trusted, { type: 'matchRepository' }), image([sig])),
    ).resolves.toBeUndefined();
  });

  it('rejects a signature by an untrusted key', async () => {
    const message = await rejection(evaluateSignedBy(requirement(), image([await signature(stranger)])));
    expect(message).toMatch(/signature 1: .*not a trusted key/);
  });

  it('rejects an image without signatures, or with sigstore signatures only', async () => {
    const sigstore: Signature = { kind: 'sigstore', mediaType: 'x', payload: text('{}'), annotations: {} };
    for (const sigs of [[], [sigstore]]) {
      expect(await rejection(evaluateSignedBy(requirement(), image(sigs)))).toMatch(/no signature exists/);
    }
  });

  it('lists every signature reason', async () => {
    const sigs = [await signature(stranger), await signature(trusted, { manifest: text('{}') })];
    const message = await rejection(evaluateSignedBy(requirement(), image(sigs)));
    expect(message).toMatch(/none of the signatures were accepted: signature 1: .*; signature 2: .*does not match/);
  });

  it('rejects when the keys are not key material or hold no key', async () => {
    const garbage: SignedByRequirement = { ...requirement(), keys: { kind: 'data', data: text('no key') } };
    expect(await rejection(evaluateSignedBy(garbage, image([await signature()])))).toMatch(/not OpenPGP key material/);
    const empty: SignedByRequirement = { ...requirement(), keys: { kind: 'data', data: new Uint8Array() } };
    expect(await rejection(evaluateSignedBy(empty, image([await signature()])))).toMatch(/no public keys imported/);
  });

  it('matches the digest of a signed schema 1 manifest without its JWS signatures', async () => {
    const unsigned =
      '{\n   "schemaVersion": 1,\n   "name": "ferry/app",\n   "tag": "v1",\n   "architecture": "amd64",\n   "fsLayers": [],\n   "history": []\n}';
    const formatLength = unsigned.lastIndexOf('\n}');
    const b64 = (s: string): string => Buffer.from(s).toString('base64url');
    const protectedHeader = b64(JSON.stringify({ formatLength, formatTail: b64('\n}') }));
    const signed = text(
      `${unsigned.slice(0, formatLength)},\n   "signatures": [{"header":{"alg":"ES256"},"signature":"AAAA","protected":"${protectedHeader}"}]\n}`,
    );
    const good = await signature(trusted, { manifest: signed, digest: sha256(unsigned) });
    await expect(evaluateSignedBy(requirement(), image([good], signed))).resolves.toBeUndefined();
    const bad = await signature(trusted, { manifest: signed, digest: sha256(signed) });
    await rejection(evaluateSignedBy(requirement(), image([bad], signed)));
  });

  it('surfaces an abort as the reason itself', async () => {
    const reason = new Error('stop');
    await expect(
      evaluateSignedBy(requirement(), image([await signature()]), { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
  });
});
