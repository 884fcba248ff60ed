import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDigester } from '@ferry/blob';
import { copyImage, insecureAcceptAnythingPolicy } from '@ferry/copy';
import { type FaultProxy, makeTestImage, pseudoRandomStream, writeTestImage } from '@ferry/testkit';
import type { ImageReference } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bigImageLayout, FAST_RETRY, freshReference, proxyFor, viaHost } from './test-support/fault-setup.ts';
import { runTool } from './test-support/run-tool.ts';
import { sharedRegistry } from './test-support/test-registry.ts';

const registry = sharedRegistry('http');
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await proxyFor(await registry());
});
afterAll(async () => {
  await proxy?.close();
});
afterEach(() => proxy.clearFaults());

// larger than the 4 MiB upload chunk: three PATCHes and a closing PUT
const BIG = 10 * 1024 * 1024 + 123;

async function digestOf(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const digester = createDigester();
  for await (const chunk of stream) digester.update(chunk);
  return digester.finish().digest;
}

/** Pushes the big blob through the proxy; returns the reference (direct to the registry) and the digest. */
async function pushBigBlob(seed: number): Promise<{ direct: ImageReference; digest: string }> {
  const direct = freshReference((await registry()).host);
  const digest = await digestOf(pseudoRandomStream(BIG, seed));
  await using dest = await viaHost(direct, proxy.host).newImageDestination();
  const stored = await dest.putBlob(pseudoRandomStream(BIG, seed), { digest: digest as never, size: BIG });
  expect(stored).toEqual({ digest, size: BIG });
  return { direct, digest };
}

/** Reads the blob back straight from the registry and hashes it. */
async function readBack(ref: ImageReference, digest: string): Promise<string> {
  await using source = await ref.newImageSource();
  const { stream } = await source.getBlob({ digest: digest as never });
  return digestOf(stream);
}

describe('pushing through faults: the upload resumes and the registry holds the right bytes', () => {
  const cases: [string, Parameters<FaultProxy['addFault']>[0]][] = [
    ['500 on the closing PUT', { method: 'PUT', path: /[?&]digest=/, action: { kind: 'status', status: 500 } }],
    // the first PUT may have landed: the retry finds the upload gone and the blob there
    [
      'a reset of the closing PUT',
      { method: 'PUT', path: /[?&]digest=/, action: { kind: 'reset-request', afterBytes: 0 } },
    ],
    ['429 when opening the upload', { method: 'POST', action: { kind: 'retry-after', seconds: 1 } }],
    ['429 on the closing PUT', { method: 'PUT', path: /[?&]digest=/, action: { kind: 'retry-after', seconds: 1 } }],
    ['a stalled PATCH', { method: 'PATCH', action: { kind: 'stall', ms: 300 } }],
  ];
  cases.forEach(([name, rule], i) => {
    it(name, async () => {
      const before = proxy.requests().length;
      proxy.addFault(rule);
      const { direct, digest } = await pushBigBlob(100 + i);
      expect(
        proxy
          .requests()
          .slice(before)
          .some((r) => r.fault === rule.action.kind),
      ).toBe(true);
      expect(await readBack(direct, digest)).toBe(digest);
    });
  });

  it('a blob whose bytes do not match the expected digest is refused and never committed', async () => {
    const direct = freshReference((await registry()).host);
    const wrong = `sha256:${'ab'.repeat(32)}`;
    await using dest = await viaHost(direct, proxy.host).newImageDestination();
    const error = await dest.putBlob(pseudoRandomStream(BIG, 7), { digest: wrong as never }).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_DIGEST_MISMATCH')).toBe(true);
    await using source = await direct.newImageSource();
    const absent = await source.getBlob({ digest: wrong as never }).catch((e: unknown) => e);
    expect(isImageError(absent, 'ERR_BLOB_UNKNOWN')).toBe(true);
    // the upload session was cancelled
    expect(proxy.requests().some((r) => r.method === 'DELETE' && r.path.includes('/blobs/uploads/'))).toBe(true);
  });
});

describe('pushing through faults the registry cannot resume from: the copy sends the blob again', () => {
  // distribution 2.8 cancels an upload whose PATCH or closing PUT was cut after some bytes arrived
  for (const [name, rule] of [
    [
      'a connection reset in the middle of a PATCH',
      { method: 'PATCH', action: { kind: 'reset-request', afterBytes: 1 << 20 } },
    ],
    // answered after the proxy read the whole body: more than the resume window was sent
    ['503 on a PATCH', { method: 'PATCH', action: { kind: 'status', status: 503 } }],
    // the socket buffers took more than the window before the cut was noticed
    [
      'a PATCH cut before its body reached the registry',
      { method: 'PATCH', action: { kind: 'reset-request', afterBytes: 0 } },
    ],
    ['429 on a PATCH', { method: 'PATCH', action: { kind: 'retry-after', seconds: 1 } }],
  ] as const) {
    it(name, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'ferry-push-faults-'));
      try {
        const { ref: src, digest } = await bigImageLayout(join(dir, 'layout'), BIG, 42);
        proxy.addFault(rule);
        const direct = freshReference((await registry()).host);
        const lines: string[] = [];
        const result = await copyImage(insecureAcceptAnythingPolicy(), viaHost(direct, proxy.host), src, {
          reportWriter: (line) => lines.push(line),
          blobRetry: { times: 2, delayMs: 10 },
        });
        expect(result.digest).toBe(digest);
        expect(lines.some((l) => l.startsWith('Retrying blob'))).toBe(true);
        // skopeo, the independent judge, reads the pushed image and verifies every blob
        const judged = await runTool('skopeo', [
          'copy',
          '--src-tls-verify=false',
          `docker:${direct.withinTransport}`,
          `oci:${join(dir, 'judge')}:x`,
        ]);
        expect(judged.code).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }, 30_000);
  }
});

describe('mounting under faults', () => {
  for (const [name, action] of [
    ['a mount answered 500', { kind: 'status', status: 500 }],
    ['a mount whose connection is cut', { kind: 'reset-request', afterBytes: 0 }],
    [
      'a mount answered 202 (an upload opened instead)',
      { kind: 'status', status: 202, headers: { location: '/v2/nowhere/blobs/uploads/x' } },
    ],
  ] as const) {
    it(`${name}: the copy completes (uploading what it could not mount)`, async () => {
      const { host } = await registry();
      const image = makeTestImage({ salt: name });
      const source = freshReference(host);
      await writeTestImage(source, image);
      proxy.addFault({ method: 'POST', path: /[?&]mount=/, action, times: 100 });
      const before = proxy.requests().length;
      const destination = freshReference(host);
      const result = await copyImage(
        insecureAcceptAnythingPolicy(),
        viaHost(destination, proxy.host),
        viaHost(source, proxy.host),
        {
          reportWriter: () => {},
          blobRetry: { times: 1, delayMs: 10 },
        },
      );
      expect(result.digest).toBe(image.manifest.digest);
      const seen = proxy.requests().slice(before);
      expect(seen.some((r) => r.fault === action.kind)).toBe(true);
      // a cut mount may have happened on the server: sending it again then succeeds without an upload
      if (action.kind !== 'reset-request') {
        expect(seen.some((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/'))).toBe(true);
      }
    });
  }
});

describe('manifests under faults: either complete or absent', () => {
  it('a 500 on the manifest PUT is retried and the image lands', async () => {
    proxy.addFault({ method: 'PUT', path: /\/manifests\//, action: { kind: 'status', status: 500 } });
    const direct = freshReference((await registry()).host);
    const image = makeTestImage({ salt: 'manifest-500' });
    await writeTestImage(viaHost(direct, proxy.host), image);
    await using source = await direct.newImageSource();
    expect(Buffer.from((await source.getManifest()).bytes)).toEqual(Buffer.from(image.manifest.bytes));
  });

  for (const [name, action] of [
    ['a manifest PUT that always fails', { kind: 'status', status: 500 }],
    ['a manifest PUT cut every time', { kind: 'reset-request', afterBytes: 10 }],
  ] as const) {
    it(`${name}: a coded error, and the registry shows no manifest`, async () => {
      const before = proxy.requests().filter((r) => r.fault === action.kind).length;
      proxy.addFault({ method: 'PUT', path: /\/manifests\//, action, times: 100 });
      const direct = freshReference((await registry()).host);
      const error = await writeTestImage(viaHost(direct, proxy.host), makeTestImage({ salt: name })).catch(
        (e: unknown) => e,
      );
      expect(isImageError(error, 'ERR_IO')).toBe(true);
      await using source = await direct.newImageSource();
      const missing = await source.getManifest().catch((e: unknown) => e);
      expect(isImageError(missing, 'ERR_MANIFEST_UNKNOWN')).toBe(true);
      const faulted = proxy.requests().filter((r) => r.fault === action.kind).length - before;
      expect(faulted).toBe((FAST_RETRY.retryTimes as number) + 1);
    });
  }
});
