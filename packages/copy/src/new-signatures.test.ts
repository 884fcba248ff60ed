import { type Digest, type ImageSigner, isImageError, type NamedReference, type SigningInput } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { copyImage, insecureAcceptAnythingPolicy } from './index.ts';
import { buildImage, buildList } from './test-support/fixtures.ts';
import { memoryWorld } from './test-support/memory-transport.ts';

const policy = insecureAcceptAnythingPolicy();
const identity: NamedReference = {
  domain: 'registry.example',
  path: 'team/app',
  name: 'registry.example/team/app',
  tag: 'v1',
  toString: () => 'registry.example/team/app:v1',
};

// a signer double: its "signature" is the digest it was asked to sign, so tests can see what was signed
function recordingSigner(kind: ImageSigner['kind'] = 'simple-signing'): ImageSigner & { inputs: SigningInput[] } {
  const inputs: SigningInput[] = [];
  return {
    kind,
    inputs,
    async sign(input) {
      inputs.push(input);
      const bytes = new TextEncoder().encode(input.manifestDigest);
      return kind === 'sigstore'
        ? { kind, mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', payload: bytes, annotations: {} }
        : { kind, bytes };
    },
  };
}

const signingTraits = { supportedSignatureKinds: ['simple-signing'] as const, supportsManifestLists: true };

describe('copyImage: signing', () => {
  it('signs the written manifest after the copied signatures', async () => {
    const world = memoryWorld({ traits: signingTraits });
    await buildImage(world.image('src'));
    const old = { kind: 'simple-signing' as const, bytes: new Uint8Array([7]) };
    world.image('src').signatures.set('', [old]);
    const signer = recordingSigner();
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'), {
      signers: [signer],
      signIdentity: identity,
      forceManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      removeSignatures: true,
    });
    expect(signer.inputs).toHaveLength(1);
    expect(signer.inputs[0]?.manifestDigest).toBe(result.digest);
    expect(signer.inputs[0]?.manifest).toEqual(result.manifest);
    expect(signer.inputs[0]?.identity.toString()).toBe('registry.example/team/app:v1');
    const stored = world.image('dst').signatures.get('') ?? [];
    expect(stored).toEqual([{ kind: 'simple-signing', bytes: new TextEncoder().encode(result.digest) }]);

    const kept = await copyImage(policy, world.ref('dst2'), world.ref('src'), {
      signers: [signer],
      signIdentity: identity,
    });
    expect(world.image('dst2').signatures.get('')).toEqual([
      old,
      { kind: 'simple-signing', bytes: new TextEncoder().encode(kept.digest) },
    ]);
  });

  it('signs a copied list, not its instances', async () => {
    const world = memoryWorld({ traits: signingTraits });
    const list = await buildList(world.image('src'), 'oci', [{ architecture: 'amd64' }, { architecture: 'arm64' }]);
    const signer = recordingSigner();
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'), {
      imageListSelection: 'all',
      signers: [signer],
      signIdentity: identity,
    });
    expect(signer.inputs.map((i) => i.manifestDigest)).toEqual([result.digest]);
    for (const instance of list.instances) {
      expect(world.image('dst').signatures.get(instance.digest as Digest) ?? []).toEqual([]);
    }
    expect(world.image('dst').signatures.get('')).toHaveLength(1);
  });

  it('refuses before any write when the destination cannot store the signer’s kind', async () => {
    const world = memoryWorld({ traits: signingTraits });
    await buildImage(world.image('src'));
    const error = await copyImage(policy, world.ref('dst'), world.ref('src'), {
      signers: [recordingSigner('sigstore')],
      signIdentity: identity,
    }).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_NOT_IMPLEMENTED')).toBe(true);
    expect(String(error)).toContain('sigstore');
    expect(world.stats.putBlobCalls).toHaveLength(0);
  });

  it('refuses before any write when there is no identity to sign for', async () => {
    const world = memoryWorld({ traits: signingTraits });
    await buildImage(world.image('src'));
    const error = await copyImage(policy, world.ref('dst'), world.ref('src'), { signers: [recordingSigner()] }).catch(
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(world.stats.putBlobCalls).toHaveLength(0);
  });

  it('commits nothing when a signer fails', async () => {
    const world = memoryWorld({ traits: signingTraits });
    await buildImage(world.image('src'));
    const failing: ImageSigner = {
      kind: 'simple-signing',
      sign: async () => {
        throw new Error('no key');
      },
    };
    await expect(
      copyImage(policy, world.ref('dst'), world.ref('src'), { signers: [failing], signIdentity: identity }),
    ).rejects.toThrow('no key');
    expect(world.stats.commits).toBe(0);
    expect(world.image('dst').top).toBeUndefined();
  });

  it('signs an image already at the destination instead of skipping it', async () => {
    const world = memoryWorld({ traits: signingTraits });
    await buildImage(world.image('src'));
    await copyImage(policy, world.ref('dst'), world.ref('src'));
    const signer = recordingSigner();
    await copyImage(policy, world.ref('dst'), world.ref('src'), {
      optimizeDestinationImageAlreadyExists: true,
      signers: [signer],
      signIdentity: identity,
    });
    expect(signer.inputs).toHaveLength(1);
    expect(world.image('dst').signatures.get('')).toHaveLength(1);
  });
});
