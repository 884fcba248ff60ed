import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultAction, FaultProxy } from '@ferry/testkit';
import { isImageError } from '@ferry/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAST_RETRY, proxyFor, pullToLayout, pushedImage, viaHost } from './test-support/fault-setup.ts';
import { sharedRegistry } from './test-support/test-registry.ts';

const registry = sharedRegistry('http');
let proxy: FaultProxy;
let work: string;

beforeAll(async () => {
  proxy = await proxyFor(await registry());
  work = await mkdtemp(join(tmpdir(), 'ferry-pull-faults-'));
});
afterAll(async () => {
  await proxy?.close();
  await rm(work, { recursive: true, force: true });
});
afterEach(() => proxy.clearFaults());

let n = 0;
async function pullThroughProxy(salt: string): Promise<{ expected: string; got: string }> {
  const { ref, image } = await pushedImage(await registry(), salt);
  const got = await pullToLayout(viaHost(ref, proxy.host), join(work, `layout-${++n}`));
  return { expected: image.manifest.digest, got };
}

const BLOB = /\/blobs\/sha256:/;

describe('pulling through faults: the copy completes with the right digests', () => {
  const recoverable: [string, { method?: 'GET'; path: RegExp; action: FaultAction; times?: number }][] = [
    [
      'a connection reset in the middle of a layer',
      { method: 'GET', path: BLOB, action: { kind: 'reset-response', afterBytes: 100 } },
    ],
    ['a truncated layer body', { method: 'GET', path: BLOB, action: { kind: 'truncate-response', afterBytes: 50 } }],
    [
      'a Content-Length larger than the body',
      { method: 'GET', path: BLOB, action: { kind: 'wrong-content-length', delta: 10 } },
    ],
    ['500 on a blob', { method: 'GET', path: BLOB, action: { kind: 'status', status: 500 } }],
    ['502 then 503 on a blob', { method: 'GET', path: BLOB, action: { kind: 'status', status: 502 }, times: 2 }],
    ['503 on the manifest', { method: 'GET', path: /\/manifests\//, action: { kind: 'status', status: 503 } }],
    [
      'a reset while reading the manifest',
      { method: 'GET', path: /\/manifests\//, action: { kind: 'reset-response', afterBytes: 20 } },
    ],
    [
      'a lying Docker-Content-Digest',
      {
        method: 'GET',
        path: /\/manifests\//,
        action: { kind: 'header', name: 'docker-content-digest', value: `sha256:${'0'.repeat(64)}` },
        times: 10,
      },
    ],
    ['a stalled blob response', { method: 'GET', path: BLOB, action: { kind: 'stall', ms: 500 } }],
  ];
  for (const [name, rule] of recoverable) {
    it(name, async () => {
      proxy.addFault(rule);
      const { expected, got } = await pullThroughProxy(name);
      expect(got).toBe(expected);
      expect(proxy.requests().some((r) => r.fault === rule.action.kind)).toBe(true);
    });
  }

  it('waits for 429 Retry-After before asking again', async () => {
    proxy.addFault({ method: 'GET', path: /\/manifests\//, action: { kind: 'retry-after', seconds: 1 } });
    const started = Date.now();
    const { expected, got } = await pullThroughProxy('429');
    expect(got).toBe(expected);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});

describe('pulling through faults that do not heal: a coded error, and nothing left in the layout', () => {
  async function failedPull(salt: string): Promise<{ error: unknown; dir: string }> {
    const { ref } = await pushedImage(await registry(), salt);
    const dir = join(work, `failed-${++n}`);
    const error = await pullToLayout(viaHost(ref, proxy.host), dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, dir };
  }

  it('a corrupted layer gives ERR_DIGEST_MISMATCH', async () => {
    proxy.addFault({ method: 'GET', path: BLOB, action: { kind: 'corrupt-response', atByte: 10 }, times: 100 });
    const { error, dir } = await failedPull('corrupt');
    expect(isImageError(error, 'ERR_DIGEST_MISMATCH')).toBe(true);
    // the layout holds no image and no partial blob
    const blobs = await readdir(join(dir, 'blobs', 'sha256')).catch(() => []);
    const index = await import('node:fs/promises')
      .then((fs) => fs.readFile(join(dir, 'index.json'), 'utf8'))
      .catch(() => '{"manifests":[]}');
    expect(JSON.parse(index).manifests).toEqual([]);
    expect(blobs.filter((b) => b.startsWith('.'))).toEqual([]);
  });

  it('a 500 that never ends gives a coded I/O error after the retries', async () => {
    proxy.addFault({ method: 'GET', path: BLOB, action: { kind: 'status', status: 500 }, times: 1000 });
    const { error } = await failedPull('always-500');
    expect(isImageError(error, 'ERR_IO')).toBe(true);
    const blobGets = proxy.requests().filter((r) => r.fault === 'status');
    // the first try and FAST_RETRY.retryTimes retries, for each blob the copy asked for
    expect(blobGets.length).toBeGreaterThanOrEqual((FAST_RETRY.retryTimes as number) + 1);
  });

  it('malformed JSON as a manifest gives ERR_INVALID_MANIFEST', async () => {
    proxy.addFault({
      method: 'GET',
      path: /\/manifests\//,
      action: {
        kind: 'status',
        status: 200,
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        body: '{"schemaVersion": 2, "layers": [',
      },
      times: 10,
    });
    const { error } = await failedPull('garbage');
    expect(isImageError(error, 'ERR_INVALID_MANIFEST')).toBe(true);
  });

  it('an unknown tag gives ERR_MANIFEST_UNKNOWN', async () => {
    const { ref } = await pushedImage(await registry(), 'unknown-tag');
    const other = viaHost(ref, proxy.host);
    const missing = other.transport.parseReference(other.withinTransport.replace(/:v1$/, ':nope'));
    const error = await pullToLayout(missing, join(work, `missing-${++n}`)).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_MANIFEST_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain('nope');
  });
});
