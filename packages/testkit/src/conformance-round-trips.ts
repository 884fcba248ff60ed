import { createHash } from 'node:crypto';
import type { DestinationTraits, Digest, ImageReference, Signature } from '@ferry/types';
import { expect, it } from 'vitest';
import { type ConformanceOptions, withSource } from './conformance-options.ts';
import { collectBytes, pseudoRandomStream } from './streams.ts';
import { digestOf, makeTestImage, makeTestImageList, type TestImage } from './test-image.ts';
import { putImage, writeTestImage, writeTestImageList } from './write-test-image.ts';

const DEFAULT_LARGE_BLOB_SIZE = 64 << 20;

/** Registers the checks that write an image and read it back. */
export function roundTripChecks(options: ConformanceOptions, enabled: (check: string) => boolean): void {
  const timeout = options.timeout ?? 30_000;
  const { transport } = options;

  it.runIf(enabled('reference-round-trip'))('parseReference(withinTransport) gives an equal reference', async () => {
    const ref = await options.newWritableReference();
    expect(ref.transport.name).toBe(transport.name);
    const again = transport.parseReference(ref.withinTransport);
    expect(again.withinTransport).toBe(ref.withinTransport);
    expect(again.policyIdentity).toBe(ref.policyIdentity);
    expect(again.policyNamespaces).toEqual(ref.policyNamespaces);
    expect(again.dockerReference === undefined).toBe(ref.dockerReference === undefined);
    expect(again.transport.name).toBe(transport.name);
  });

  it.runIf(enabled('image-round-trip'))(
    'reads back an image byte for byte',
    async () => {
      const ref = await options.newWritableReference();
      const image = makeTestImage();
      await writeTestImage(ref, image, { chunkSize: 100 });
      await expectImage(ref, image);
    },
    timeout,
  );

  it.runIf(enabled('zstd-image-round-trip'))(
    'reads back an image with zstd layers byte for byte',
    async () => {
      const ref = await options.newWritableReference();
      const image = makeTestImage({ layerCompression: 'zstd', salt: '-zstd' });
      await writeTestImage(ref, image, { chunkSize: 50 });
      await expectImage(ref, image);
    },
    timeout,
  );

  it.runIf(enabled('blob-without-digest'))(
    'computes the digest and size of a blob put without them',
    async () => {
      const ref = await options.newWritableReference();
      const image = makeTestImage({ salt: '-nodigest' });
      const dest = await ref.newImageDestination();
      try {
        for (const blob of image.blobs) {
          const stored = await dest.putBlob(bytesOnce(blob.bytes), {});
          expect(stored).toEqual({ digest: blob.digest, size: blob.size });
        }
        await dest.putManifest(image.manifest);
        await dest.commit();
      } finally {
        await dest[Symbol.asyncDispose]();
      }
      await expectImage(ref, image);
    },
    timeout,
  );

  it.runIf(enabled('large-blob'))(
    'streams a large blob in and out',
    async () => {
      const size = options.largeBlobSize ?? DEFAULT_LARGE_BLOB_SIZE;
      const hash = createHash('sha256');
      for await (const chunk of pseudoRandomStream(size, 42)) hash.update(chunk);
      const digest = `sha256:${hash.digest('hex')}` as Digest;
      const ref = await options.newWritableReference();
      const image = withExtraLayer(makeTestImage({ salt: '-large' }), digest, size);
      const dest = await ref.newImageDestination();
      try {
        expect(await dest.putBlob(pseudoRandomStream(size, 42), { digest, size })).toEqual({ digest, size });
        await putImage(dest, image, undefined);
        await dest.commit();
      } finally {
        await dest[Symbol.asyncDispose]();
      }
      await withSource(ref, async (source) => {
        const blob = await source.getBlob({ digest, size });
        if (blob.size !== undefined) expect(blob.size).toBe(size);
        const readBack = createHash('sha256');
        let total = 0;
        for await (const chunk of blob.stream) {
          readBack.update(chunk);
          total += chunk.byteLength;
        }
        expect(total).toBe(size);
        expect(`sha256:${readBack.digest('hex')}`).toBe(digest);
      });
    },
    timeout,
  );

  it.runIf(enabled('signatures'))(
    'stores and returns signatures of every declared kind',
    async (context) => {
      const ref = await options.newWritableReference();
      const kinds = (await traitsOf(ref)).supportedSignatureKinds ?? [];
      if (kinds.length === 0) context.skip('the destination declares no signature kinds');
      const signatures = testSignatures().filter((s) => kinds.includes(s.kind));
      const image = makeTestImage({ salt: '-signed' });
      await writeTestImage(ref, image, { signatures });
      await withSource(ref, async (source) => {
        expect(source.getSignatures).toBeDefined();
        const got = (await source.getSignatures?.()) ?? [];
        expect(got.map(plainSignature)).toEqual(signatures.map(plainSignature));
      });
    },
    timeout,
  );

  it.runIf(enabled('manifest-list'))(
    'reads back an image list and its instances',
    async (context) => {
      const ref = await options.newWritableReference();
      if ((await traitsOf(ref)).supportsManifestLists !== true) context.skip('the destination takes no lists');
      const list = makeTestImageList();
      await writeTestImageList(ref, list);
      await withSource(ref, async (source) => {
        expect(Array.from((await source.getManifest()).bytes)).toEqual(Array.from(list.manifest.bytes));
        for (const image of list.images) {
          const got = await source.getManifest(image.manifest.digest);
          expect(Array.from(got.bytes)).toEqual(Array.from(image.manifest.bytes));
          for (const blob of image.blobs) {
            expect(digestOf(await collectBytes((await source.getBlob(blob)).stream))).toBe(blob.digest);
          }
        }
      });
    },
    timeout,
  );
}

/**
 * Asserts that the image at `reference` is `image`: manifest bytes identical, every blob byte-identical with
 * the right size.
 * @example
 * ```ts
 * await expectImage(ref, makeTestImage());
 * ```
 */
export async function expectImage(reference: ImageReference, image: TestImage): Promise<void> {
  await withSource(reference, async (source) => {
    const manifest = await source.getManifest();
    expect(Array.from(manifest.bytes)).toEqual(Array.from(image.manifest.bytes));
    if (manifest.mediaType !== undefined) expect(manifest.mediaType).toBe(image.manifest.mediaType);
    for (const blob of image.blobs) {
      const got = await source.getBlob({ digest: blob.digest, size: blob.size, mediaType: blob.mediaType });
      const bytes = await collectBytes(got.stream);
      if (got.size !== undefined) expect(got.size).toBe(blob.size);
      expect(bytes.byteLength).toBe(blob.size);
      expect(digestOf(bytes)).toBe(blob.digest);
    }
  });
}

/**
 * One signature of each kind, with fixed bytes.
 * @example
 * ```ts
 * await dest.putSignatures(testSignatures());
 * ```
 */
export function testSignatures(): Signature[] {
  const text = new TextEncoder();
  return [
    // 0xa3: an OpenPGP compressed-data packet tag, as simple signing blobs start
    { kind: 'simple-signing', bytes: new Uint8Array([0xa3, 0x01, ...text.encode('ferry testkit signature')]) },
    {
      kind: 'sigstore',
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      payload: text.encode('{"critical":{"identity":{"docker-reference":"example.com/ferry"}}}'),
      annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQDferry' },
    },
  ];
}

/** The traits of a destination of `ref`, which is opened and disposed again. */
export async function traitsOf(ref: ImageReference): Promise<DestinationTraits> {
  const dest = await ref.newImageDestination();
  try {
    return dest.traits;
  } finally {
    await dest[Symbol.asyncDispose]();
  }
}

function plainSignature(s: Signature): unknown {
  return s.kind === 'simple-signing'
    ? { kind: s.kind, bytes: Array.from(s.bytes) }
    : { kind: s.kind, mediaType: s.mediaType, payload: Array.from(s.payload), annotations: { ...s.annotations } };
}

async function* bytesOnce(bytes: Uint8Array): AsyncGenerator<Uint8Array, void, undefined> {
  yield bytes.slice();
}

function withExtraLayer(image: TestImage, digest: Digest, size: number): TestImage {
  const manifest = JSON.parse(new TextDecoder().decode(image.manifest.bytes)) as { layers: unknown[] };
  manifest.layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size });
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  return { ...image, manifest: { ...image.manifest, bytes, digest: digestOf(bytes) } };
}
