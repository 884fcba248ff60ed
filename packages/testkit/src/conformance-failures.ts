import type { Digest, ImageDestination, ImageReference } from '@ferry/types';
import { ImageError, isImageError } from '@ferry/types';
import { expect, it } from 'vitest';
import { type ConformanceOptions, isOrWraps, withSource } from './conformance-options.ts';
import { expectImage, traitsOf } from './conformance-round-trips.ts';
import { failingStream, streamOf } from './streams.ts';
import { digestOf, makeTestImage } from './test-image.ts';
import { putImage } from './write-test-image.ts';

const UNKNOWN = `sha256:${'0123456789abcdef'.repeat(4)}` as Digest;

/** Registers the checks of failures, disposal, unknown names and reuse. */
export function failureChecks(options: ConformanceOptions, enabled: (check: string) => boolean): void {
  const timeout = options.timeout ?? 30_000;

  it.runIf(enabled('put-blob-failures'))(
    'putBlob rejects bad input and keeps nothing of it',
    async () => {
      const ref = await options.newWritableReference();
      const bytes = (n: number): Uint8Array => new TextEncoder().encode(`failing blob ${n} `.repeat(200));
      const image = makeTestImage({ salt: '-failures' });
      const refused: Digest[] = [];
      await withDestination(ref, async (dest) => {
        // wrong digest: neither the claimed nor the real digest may become readable
        const wrong = bytes(1);
        refused.push(UNKNOWN, digestOf(wrong));
        await expect(dest.putBlob(streamOf(wrong, 64), { digest: UNKNOWN, size: wrong.byteLength })).rejects.toSatisfy(
          (e) => isImageError(e, 'ERR_DIGEST_MISMATCH'),
        );
        for (const [n, size] of [
          [2, 1],
          [3, -1],
        ] as const) {
          const b = bytes(n);
          refused.push(digestOf(b));
          await expect(
            dest.putBlob(streamOf(b, 64), { digest: digestOf(b), size: b.byteLength + size }),
          ).rejects.toSatisfy((e) => isImageError(e, 'ERR_SIZE_MISMATCH'));
        }
        const broken = bytes(4);
        refused.push(digestOf(broken));
        const boom = new ImageError('ERR_IO', 'injected stream failure');
        await expect(dest.putBlob(failingStream(broken, 1000, boom), { digest: digestOf(broken) })).rejects.toSatisfy(
          (e) => isOrWraps(e, boom),
        );
        const aborted = bytes(5);
        refused.push(digestOf(aborted));
        const controller = new AbortController();
        const reason = new Error('stop now');
        await expect(
          dest.putBlob(
            abortingStream(aborted, controller, reason),
            { digest: digestOf(aborted) },
            { signal: controller.signal },
          ),
        ).rejects.toBe(reason);
        const early = new AbortController();
        early.abort(reason);
        await expect(
          dest.putBlob(streamOf(bytes(6)), { digest: digestOf(bytes(6)) }, { signal: early.signal }),
        ).rejects.toBe(reason);
        refused.push(digestOf(bytes(6)));
        for (const digest of refused) {
          expect(await dest.tryReusingBlob?.({ digest })).toBeUndefined();
        }
        await putImage(dest, image, undefined);
        await dest.commit();
      });
      await withSource(ref, async (source) => {
        for (const digest of refused) {
          await expect(source.getBlob({ digest })).rejects.toSatisfy((e) => isImageError(e, 'ERR_BLOB_UNKNOWN'));
        }
      });
      await expectImage(ref, image);
    },
    timeout,
  );

  it.runIf(enabled('dispose-without-commit'))(
    'disposing without commit leaves no image',
    async () => {
      const ref = await options.newWritableReference();
      await withDestination(ref, (dest) => putImage(dest, makeTestImage({ salt: '-uncommitted' }), undefined));
      await expect(withSource(ref, (source) => source.getManifest())).rejects.toSatisfy((e) => isImageError(e));
    },
    timeout,
  );

  it.runIf(enabled('unknown-blob-and-manifest'))(
    'getBlob and getManifest name what is unknown',
    async () => {
      const ref = await options.newWritableReference();
      await withDestination(ref, async (dest) => {
        await putImage(dest, makeTestImage({ salt: '-unknown' }), undefined);
        await dest.commit();
      });
      await withSource(ref, async (source) => {
        await expect(source.getBlob({ digest: UNKNOWN })).rejects.toSatisfy((e) => isImageError(e, 'ERR_BLOB_UNKNOWN'));
        await expect(source.getManifest(UNKNOWN)).rejects.toSatisfy((e) => isImageError(e, 'ERR_MANIFEST_UNKNOWN'));
      });
    },
    timeout,
  );

  it.runIf(enabled('concurrent-blob-writes'))(
    'accepts concurrent putBlob calls',
    async (context) => {
      const ref = await options.newWritableReference();
      if ((await traitsOf(ref)).supportsConcurrentBlobWrites !== true) context.skip('no concurrent blob writes');
      const image = makeTestImage({ salt: '-concurrent' });
      await withDestination(ref, async (dest) => {
        const stored = await Promise.all(
          image.blobs.map((b) => dest.putBlob(streamOf(b.bytes, 16), { digest: b.digest, size: b.size })),
        );
        expect(stored).toEqual(image.blobs.map((b) => ({ digest: b.digest, size: b.size })));
        await dest.putManifest(image.manifest);
        await dest.commit();
      });
      await expectImage(ref, image);
    },
    timeout,
  );

  it.runIf(enabled('reuse'))(
    'tryReusingBlob returns a blob written earlier, or undefined, and never throws',
    async () => {
      const ref = await options.newWritableReference();
      const image = makeTestImage({ salt: '-reuse' });
      await withDestination(ref, async (dest) => {
        if (dest.tryReusingBlob === undefined) return;
        expect(await dest.tryReusingBlob({ digest: UNKNOWN })).toBeUndefined();
        const [config] = image.blobs;
        if (config === undefined) throw new Error('test image without blobs');
        await dest.putBlob(streamOf(config.bytes), { digest: config.digest, size: config.size });
        const reused = await dest.tryReusingBlob({ digest: config.digest, size: config.size });
        if (reused !== undefined) expect(reused).toMatchObject({ digest: config.digest, size: config.size });
      });
    },
    timeout,
  );
}

async function withDestination(ref: ImageReference, fn: (dest: ImageDestination) => Promise<void>): Promise<void> {
  const dest = await ref.newImageDestination();
  try {
    await fn(dest);
  } finally {
    await dest[Symbol.asyncDispose]();
  }
}

// aborts the caller's signal after the first chunk went through, as a user pressing Ctrl-C midway
async function* abortingStream(
  bytes: Uint8Array,
  controller: AbortController,
  reason: unknown,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield bytes.slice(0, 100);
  controller.abort(reason);
  yield bytes.slice(100);
}
