import { manifestDigest } from '@ferry/manifest';
import { parseDockerRef } from '@ferry/reference';
import {
  type CallOptions,
  type Digest,
  type ImageReference,
  type ImageSource,
  isImageError,
  type NamedReference,
  type Signature,
} from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from './parse-policy.ts';
import { createPolicyContext, type RequirementEvaluators } from './policy-context.ts';
import type { PolicyImage } from './policy-image.ts';
import { simpleSigner } from './simple-signer.ts';
import { signPayload, testKeys } from './test-support/sigstore-fixtures.ts';
import { openpgpKey } from './test-support/simple-fixtures.ts';

const MANIFEST = new TextEncoder().encode(
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}',
);
const DIGEST = manifestDigest(MANIFEST);
const OTHER = `sha256:${'9'.repeat(64)}` as Digest;

/** An in-memory docker-like source that counts its reads. */
class FakeSource implements ImageSource {
  manifestReads = 0;
  signatureReads = 0;
  readonly reference: ImageReference;
  constructor(
    text: string,
    private readonly signatures: readonly Signature[] | undefined = [],
    private readonly manifest: Uint8Array = MANIFEST,
  ) {
    const dockerReference: NamedReference = parseDockerRef(text);
    const namespaces: string[] = [];
    for (let name = dockerReference.name; name !== ''; name = name.slice(0, Math.max(0, name.lastIndexOf('/')))) {
      namespaces.push(name);
    }
    this.reference = {
      transport: { name: 'docker', parseReference: () => this.reference },
      withinTransport: `//${dockerReference.toString()}`,
      dockerReference,
      policyIdentity: dockerReference.toString(),
      policyNamespaces: namespaces,
      newImageSource: () => Promise.resolve(this),
      newImageDestination: () => Promise.reject(new Error('read-only')),
    };
    if (signatures === undefined) delete (this as { getSignatures?: unknown }).getSignatures;
  }
  getManifest(_instance?: Digest, options?: CallOptions) {
    options?.signal?.throwIfAborted();
    this.manifestReads++;
    return Promise.resolve({ bytes: this.manifest, mediaType: undefined });
  }
  getBlob(): never {
    throw new Error('not used');
  }
  getSignatures(_instance?: Digest, _options?: CallOptions) {
    this.signatureReads++;
    return Promise.resolve(this.signatures ?? []);
  }
  [Symbol.asyncDispose]() {
    return Promise.resolve();
  }
}

const policy = (docker: Record<string, unknown>, defaults: unknown[] = [{ type: 'reject' }]) =>
  parsePolicy(JSON.stringify({ default: defaults, transports: { docker } }));
const SIGNED_BY = { type: 'signedBy', keyType: 'GPGKeys', keyData: 'AAAA' };
const SIGSTORE = { type: 'sigstoreSigned', keyData: 'AAAA' };

/** Evaluators that record what they saw, and accept unless told otherwise. */
function recorder(outcome: (kind: string) => Promise<void> = () => Promise.resolve()) {
  const seen: { kind: string; image: PolicyImage }[] = [];
  const evaluators: RequirementEvaluators = {
    signedBy: (_requirement, image) => {
      seen.push({ kind: 'signedBy', image });
      return outcome('signedBy');
    },
    sigstoreSigned: (_requirement, image) => {
      seen.push({ kind: 'sigstoreSigned', image });
      return outcome('sigstoreSigned');
    },
  };
  return { seen, evaluators };
}

async function rejection(promise: Promise<void>): Promise<Error> {
  const error = await promise.then(
    () => new Error('accepted'),
    (e: unknown) => e as Error,
  );
  expect(isImageError(error, 'ERR_POLICY_REJECTED')).toBe(true);
  return error;
}

describe('createPolicyContext', () => {
  it('accepts insecureAcceptAnything without reading the source', async () => {
    const source = new FakeSource('quay.io/org/app:v1');
    const context = createPolicyContext(policy({ 'quay.io': [{ type: 'insecureAcceptAnything' }] }));
    await context.checkImageAllowed({ source });
    expect([source.manifestReads, source.signatureReads]).toEqual([0, 0]);
  });

  it('rejects by reject (here the default) without reading, naming the image', async () => {
    const source = new FakeSource('quay.io/org/app:v1');
    const context = createPolicyContext(policy({ 'docker.io': [{ type: 'insecureAcceptAnything' }] }));
    const error = await rejection(context.checkImageAllowed({ source }));
    expect(error.message).toBe('docker://quay.io/org/app:v1 is rejected by policy');
    expect(source.manifestReads).toBe(0);
  });

  it.each([
    [{ type: 'signedBaseLayer', baseLayerIdentity: { type: 'matchRepository' } }, 'signedBaseLayer'],
    [
      { type: 'signedBy', keyType: 'X509Certificates', keyPath: '/k', signedIdentity: { type: 'matchExact' } },
      'signedBy with keyType "X509Certificates"',
    ],
  ])('loads a requirement containers/image never implemented, and rejects with it (%j)', async (requirement, what) => {
    const source = new FakeSource('quay.io/org/app:v1');
    const context = createPolicyContext(policy({ 'quay.io': [{ type: 'insecureAcceptAnything' }, requirement] }));
    const error = await rejection(context.checkImageAllowed({ source }));
    expect(error.message).toContain(`${what} is not implemented`);
    expect(source.manifestReads).toBe(0);
  });

  it('reads once and hands every signature requirement the same image', async () => {
    const signatures: Signature[] = [{ kind: 'simple-signing', bytes: new Uint8Array([1]) }];
    const source = new FakeSource('quay.io/org/app:v1', signatures);
    const { seen, evaluators } = recorder();
    const scope = [SIGNED_BY, { type: 'insecureAcceptAnything' }, SIGSTORE, SIGNED_BY];
    await createPolicyContext(policy({ 'quay.io/org': scope }), { evaluators }).checkImageAllowed({ source });
    expect(seen.map((s) => s.kind)).toEqual(['signedBy', 'sigstoreSigned', 'signedBy']);
    expect([source.manifestReads, source.signatureReads]).toEqual([1, 1]);
    const image = seen[0]?.image;
    expect(image).toEqual({
      manifest: MANIFEST,
      manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      dockerReference: source.reference.dockerReference,
      signatures,
      description: 'docker://quay.io/org/app:v1',
    });
    expect(seen.every((s) => s.image === image)).toBe(true);
  });

  it('treats a source without getSignatures as having none', async () => {
    const source = new FakeSource('quay.io/org/app:v1', undefined);
    const { seen, evaluators } = recorder();
    await createPolicyContext(policy({ 'quay.io': [SIGNED_BY] }), { evaluators }).checkImageAllowed({ source });
    expect(seen[0]?.image.signatures).toEqual([]);
  });

  it('rejects when any requirement rejects, passing its ERR_POLICY_REJECTED through', async () => {
    const source = new FakeSource('quay.io/org/app:v1');
    const { evaluators } = recorder((kind) =>
      kind === 'sigstoreSigned' ? Promise.reject(new Error('x')) : Promise.resolve(),
    );
    const context = createPolicyContext(policy({ 'quay.io': [SIGNED_BY, SIGSTORE] }), { evaluators });
    const error = await rejection(context.checkImageAllowed({ source }));
    expect(error.message).toBe('docker://quay.io/org/app:v1 rejected by sigstoreSigned: x');
    expect(error.cause).toEqual(new Error('x'));
  });

  it('turns an internal error (an unreadable key file) into a rejection, never an accept', async () => {
    const source = new FakeSource('quay.io/org/app:v1');
    const missing = { type: 'signedBy', keyType: 'GPGKeys', keyPath: '/nonexistent/ferry/key.gpg' };
    const error = await rejection(createPolicyContext(policy({ 'quay.io': [missing] })).checkImageAllowed({ source }));
    expect(error.message).toContain('/nonexistent/ferry/key.gpg');
    expect(isImageError(error.cause, 'ERR_IO')).toBe(true);
  });

  it('checks the manifest against the instance digest, or the reference digest', async () => {
    const { seen, evaluators } = recorder();
    const context = createPolicyContext(policy({}, [SIGNED_BY]), { evaluators });
    await context.checkImageAllowed({ source: new FakeSource('quay.io/a:v1'), instance: DIGEST });
    await context.checkImageAllowed({ source: new FakeSource(`quay.io/a@${DIGEST}`) });
    expect(seen).toHaveLength(2);
    const wrongInstance = await rejection(
      context.checkImageAllowed({ source: new FakeSource('quay.io/a:v1'), instance: OTHER }),
    );
    expect(wrongInstance.message).toContain(`does not match ${OTHER}`);
    expect(isImageError(wrongInstance.cause, 'ERR_DIGEST_MISMATCH')).toBe(true);
    await rejection(context.checkImageAllowed({ source: new FakeSource(`quay.io/a@${OTHER}`) }));
    expect(seen).toHaveLength(2);
  });

  it('rejects with the abort reason itself', async () => {
    const reason = new Error('stop');
    const context = createPolicyContext(policy({}, [SIGNED_BY]), { evaluators: recorder().evaluators });
    const signal = AbortSignal.abort(reason);
    await expect(context.checkImageAllowed({ source: new FakeSource('quay.io/a:v1') }, { signal })).rejects.toBe(
      reason,
    );
  });

  describe('with the real evaluators', () => {
    it('dispatches signedBy: accepts a valid simple signature, rejects an unsigned image', async () => {
      const key = await openpgpKey();
      const signer = await simpleSigner({ privateKey: key.privateKey });
      const identity = parseDockerRef('quay.io/org/app:v1');
      const signature = await signer.sign({ manifest: MANIFEST, manifestDigest: DIGEST, identity });
      const keyData = Buffer.from(key.publicKey).toString('base64');
      const context = createPolicyContext(policy({ 'quay.io': [{ ...SIGNED_BY, keyData }] }));
      await context.checkImageAllowed({ source: new FakeSource('quay.io/org/app:v1', [signature]) });
      const unsigned = await rejection(context.checkImageAllowed({ source: new FakeSource('quay.io/org/app:v1') }));
      expect(unsigned.message).toContain('no signature exists');
      const retagged = await rejection(
        context.checkImageAllowed({ source: new FakeSource('quay.io/org/app:v2', [signature]) }),
      );
      expect(retagged.message).toContain('docker://quay.io/org/app:v2');
    });

    it('dispatches sigstoreSigned: accepts a valid cosign signature, rejects another key', async () => {
      const keys = testKeys();
      const signature = signPayload(keys.privateKey, 'quay.io/org/app:v1', DIGEST);
      const keyData = Buffer.from(keys.publicPem).toString('base64');
      const context = createPolicyContext(policy({ 'quay.io': [{ type: 'sigstoreSigned', keyData }] }));
      await context.checkImageAllowed({ source: new FakeSource('quay.io/org/app:v1', [signature]) });
      const other = signPayload(testKeys().privateKey, 'quay.io/org/app:v1', DIGEST);
      await rejection(context.checkImageAllowed({ source: new FakeSource('quay.io/org/app:v1', [other]) }));
    });
  });
});
