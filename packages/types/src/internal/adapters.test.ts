import { describe, expect, it } from 'vitest';
import type { BlobInfo, ImageDestination, ImageReference, ImageSource, Signature } from '../index.ts';
import { isImageError, parseDigest } from '../index.ts';
import { asInternalDestination, asInternalSource, DEFAULT_TRAITS, INTERNAL, type InternalSource } from './index.ts';

const digest = parseDigest(`sha256:${'b'.repeat(64)}`);
const reference = {
  transport: { name: 'third', parseReference: () => reference },
  withinTransport: 'x',
  policyIdentity: 'x',
  policyNamespaces: [],
  newImageSource: () => Promise.reject(new Error('unused')),
  newImageDestination: () => Promise.reject(new Error('unused')),
} as unknown as ImageReference;

function minimalSource(): ImageSource & { disposed: number } {
  const source = {
    reference,
    disposed: 0,
    getManifest: async () => ({ bytes: new Uint8Array([1]), mediaType: 'x' }),
    getBlob: async () => ({ stream: (async function* () {})(), size: 0 }),
    async [Symbol.asyncDispose]() {
      source.disposed++;
    },
  };
  return source;
}

function minimalDestination(extra: Partial<ImageDestination> = {}): ImageDestination & { calls: string[] } {
  const calls: string[] = [];
  return {
    reference,
    traits: { supportsConcurrentBlobWrites: true },
    calls,
    putBlob: async (_stream, info) => {
      calls.push('putBlob');
      return { digest: info.digest ?? digest, size: 1 };
    },
    putManifest: async () => {
      calls.push('putManifest');
    },
    commit: async () => {
      calls.push('commit');
    },
    [Symbol.asyncDispose]: async () => {
      calls.push('dispose');
    },
    ...extra,
  };
}

describe('asInternalSource', () => {
  it('passes a first-party source through untouched', () => {
    const firstParty = { ...minimalSource(), [INTERNAL]: true } as unknown as InternalSource;
    expect(asInternalSource(firstParty)).toBe(firstParty);
  });

  it('fills a third-party source: no signatures, no range reads, forwards the rest', async () => {
    const third = minimalSource();
    const internal = asInternalSource(third);
    expect(internal).not.toBe(third);
    expect(internal[INTERNAL]).toBe(true);
    expect(await internal.getSignatures()).toEqual([]);
    expect(internal.supportsRangeReads).toBe(false);
    await expect(internal.getBlobRange({ digest }, { offset: 0, length: 1 })).rejects.toSatisfy((e) =>
      isImageError(e, 'ERR_NOT_IMPLEMENTED'),
    );
    expect((await internal.getManifest()).mediaType).toBe('x');
    expect(internal.reference).toBe(reference);
    await internal[Symbol.asyncDispose]();
    expect(third.disposed).toBe(1);
  });

  it('uses the third-party getSignatures when present', async () => {
    const sig: Signature = { kind: 'simple-signing', bytes: new Uint8Array([9]) };
    const internal = asInternalSource({ ...minimalSource(), getSignatures: async () => [sig] });
    expect(await internal.getSignatures()).toEqual([sig]);
  });
});

describe('asInternalDestination', () => {
  it('completes the traits with the documented defaults and drops unknown keys', () => {
    const internal = asInternalDestination(
      minimalDestination({ traits: { supportsConcurrentBlobWrites: true, bogus: 1 } as never }),
    );
    expect(internal.traits).toEqual({ ...DEFAULT_TRAITS, supportsConcurrentBlobWrites: true });
    expect(Object.isFrozen(internal.traits)).toBe(true);
    expect(internal.committedManifestDigest).toBeUndefined();
  });

  it('takes a third party with putSignatures but no declared kinds to accept every kind', () => {
    const internal = asInternalDestination(minimalDestination({ putSignatures: async () => {} }));
    expect(internal.traits.supportedSignatureKinds).toEqual(['simple-signing', 'sigstore']);
  });

  it('refuses a signature kind the destination did not declare', async () => {
    const internal = asInternalDestination(
      minimalDestination({ traits: { supportedSignatureKinds: ['simple-signing'] }, putSignatures: async () => {} }),
    );
    const sigstore: Signature = { kind: 'sigstore', mediaType: 'x', payload: new Uint8Array(), annotations: {} };
    await expect(internal.putSignatures([sigstore])).rejects.toSatisfy(
      (e) => isImageError(e, 'ERR_NOT_IMPLEMENTED') && String((e as Error).message).includes('sigstore'),
    );
  });

  it('passes only public options to a third party', async () => {
    const seen: unknown[] = [];
    const internal = asInternalDestination(
      minimalDestination({
        putBlob: async (_s, info, options) => {
          seen.push(options);
          return { digest: info.digest ?? digest, size: 1 };
        },
        tryReusingBlob: async (_info, options) => {
          seen.push(options);
          return undefined;
        },
      }),
    );
    const cache = { secret: true } as never;
    await internal.putBlob((async function* () {})(), { digest }, { isConfig: true, layerIndex: 3, cache });
    await internal.tryReusingBlob({ digest }, { canSubstitute: true, layerIndex: 1, cache });
    expect(seen).toEqual([{ isConfig: true }, { canSubstitute: true }]);
  });

  it('never reuses a blob for a destination without tryReusingBlob', async () => {
    const internal = asInternalDestination(minimalDestination());
    const info: BlobInfo = { digest, size: 1 };
    expect(await internal.tryReusingBlob(info)).toBeUndefined();
  });

  it('refuses signatures loudly instead of dropping them, but accepts none', async () => {
    const internal = asInternalDestination(minimalDestination());
    await expect(internal.putSignatures([])).resolves.toBeUndefined();
    await expect(internal.putSignatures([{ kind: 'simple-signing', bytes: new Uint8Array() }])).rejects.toSatisfy(
      (e) => isImageError(e, 'ERR_NOT_IMPLEMENTED') && String((e as Error).message).includes('third:x'),
    );
  });

  it('forwards signatures when the destination supports them', async () => {
    const stored: Signature[][] = [];
    const internal = asInternalDestination(
      minimalDestination({
        traits: { supportedSignatureKinds: ['simple-signing'] },
        putSignatures: async (s) => {
          stored.push([...s]);
        },
      }),
    );
    const sig: Signature = { kind: 'simple-signing', bytes: new Uint8Array([1]) };
    await internal.putSignatures([sig]);
    expect(stored).toEqual([[sig]]);
  });

  it('forwards the required members in order', async () => {
    const third = minimalDestination();
    const internal = asInternalDestination(third);
    await internal.putBlob((async function* () {})(), { digest });
    await internal.putManifest({ bytes: new Uint8Array(), mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    await internal.commit();
    await internal[Symbol.asyncDispose]();
    expect(third.calls).toEqual(['putBlob', 'putManifest', 'commit', 'dispose']);
  });

  it('passes a first-party destination through', () => {
    const d = { ...minimalDestination(), [INTERNAL]: true } as unknown as ImageDestination;
    expect(asInternalDestination(d)).toBe(d);
  });
});
