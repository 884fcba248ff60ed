import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RegistryMode, type RunningRegistry, startRegistry } from '@ferry/registry-server';
import { type FaultProxy, makeTestImage, startFaultProxy, type TestImage, writeTestImage } from '@ferry/testkit';
import type { RegistryOptions } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerTransport } from './index.ts';
import { pullToLayout } from './test-support/fault-setup.ts';
import { type RecordingServer, startRecordingServer } from './test-support/recording-server.ts';
import { rejectionOf } from './test-support/secret-leaks.ts';
import { freshRepository } from './test-support/test-registry.ts';

let work: string;
let cdn: RecordingServer;
/** What the CDN serves: blob bytes by digest (`/blob/<digest>`). */
const served = new Map<string, Uint8Array>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ferry-redirect-'));
  cdn = await startRecordingServer((req) => {
    const bytes = served.get(req.url.replace(/^\/blob\//, '').split('?')[0] ?? '');
    return bytes === undefined
      ? { status: 404 }
      : { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes };
  });
});
afterAll(async () => {
  await cdn?.close();
  await rm(work, { recursive: true, force: true });
});

/** The repository path of a digest's blob GET, as a rule path. */
function blobPath(repo: string, digest: string): RegExp {
  return new RegExp(`^/v2/${repo.replace(/[/.]/g, '\\$&')}/blobs/${digest}$`);
}

for (const mode of ['basic', 'token'] as const satisfies readonly RegistryMode[]) {
  describe(`a ${mode}-auth registry redirecting blob downloads to another origin`, () => {
    let reg: RunningRegistry;
    let proxy: FaultProxy;
    beforeAll(async () => {
      reg = await startRegistry({ mode });
      proxy = await startFaultProxy({ upstream: reg.url });
    }, 60_000);
    afterAll(async () => {
      await proxy?.close();
      await reg?.stop();
    });

    function options(): RegistryOptions {
      return {
        tlsVerify: false,
        retryTimes: 1,
        retryDelayMs: 10,
        credentials: { username: reg.username ?? '', password: reg.password ?? '' },
      };
    }
    async function pushed(salt: string): Promise<{ repo: string; image: TestImage }> {
      const repo = freshRepository(`redirect-${mode}`);
      const image = makeTestImage({ salt });
      await writeTestImage(dockerTransport({ registry: options() }).parseReference(`//${reg.host}/${repo}:v1`), image);
      return { repo, image };
    }
    function viaProxy(repo: string) {
      return dockerTransport({ registry: options() }).parseReference(`//${proxy.host}/${repo}:v1`);
    }

    it('follows the redirect without the Authorization header and pulls the right bytes', async () => {
      const { repo, image } = await pushed(`cdn-${mode}`);
      for (const layer of image.layers) {
        served.set(layer.digest, layer.bytes);
        proxy.addFault({
          method: 'GET',
          path: blobPath(repo, layer.digest),
          action: { kind: 'redirect', location: `${cdn.url}/blob/${layer.digest}`, status: 307 },
          times: 10,
        });
      }
      const before = cdn.requests.length;
      expect(await pullToLayout(viaProxy(repo), join(work, `pulled-${mode}`))).toBe(image.manifest.digest);
      const seen = cdn.requests.slice(before);
      expect(seen.map((r) => r.url).sort()).toEqual(image.layers.map((l) => `/blob/${l.digest}`).sort());
      for (const request of seen) {
        expect(request.headers.authorization).toBeUndefined();
        expect(JSON.stringify(request.headers)).not.toContain(reg.password ?? '');
      }
      expect(proxy.requests().filter((r) => r.fault === 'redirect')).toHaveLength(image.layers.length);
    }, 60_000);

    it('a host it redirects to that asks for credentials gets none, and cannot name a token realm', async () => {
      await using evil = await startRecordingServer(() => ({ status: 200, body: { token: 'x' } }));
      await using asking = await startRecordingServer(() => ({
        status: 401,
        headers: { 'www-authenticate': `Bearer realm="${evil.url}/token",service="evil"` },
      }));
      const { repo, image } = await pushed(`takeover-${mode}`);
      const layer = image.layers[0] as (typeof image.layers)[number];
      proxy.addFault({
        method: 'GET',
        path: blobPath(repo, layer.digest),
        action: { kind: 'redirect', location: `${asking.url}/blob/${layer.digest}`, status: 307 },
        times: 100,
      });
      const error = await rejectionOf(pullToLayout(viaProxy(repo), join(work, `takeover-${mode}`)));
      expect(isImageError(error, 'ERR_UNAUTHORIZED')).toBe(true);
      expect(asking.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
      // the redirect target's challenge was not followed: no request ever reached its realm
      expect(evil.requests).toEqual([]);
    }, 60_000);

    it('keeps the credentials on a redirect within the registry origin', async () => {
      const { repo, image } = await pushed(`same-origin-${mode}`);
      for (const layer of image.layers) {
        proxy.addFault({
          method: 'GET',
          path: blobPath(repo, layer.digest),
          action: { kind: 'redirect', location: `${proxy.url}/v2/${repo}/blobs/${layer.digest}?hop=1` },
          times: 10,
        });
      }
      const before = proxy.requests().length;
      // the second hop reaches the registry, which answers 401 unless the credentials came along
      expect(await pullToLayout(viaProxy(repo), join(work, `same-origin-${mode}`))).toBe(image.manifest.digest);
      const layerPaths = new Set(image.layers.map((l) => `/v2/${repo}/blobs/${l.digest}`));
      const layerGets = proxy
        .requests()
        .slice(before)
        .filter((r) => r.method === 'GET' && layerPaths.has(r.path));
      expect(layerGets.map((r) => [r.fault ?? 'forwarded', r.status]).sort()).toEqual(
        image.layers
          .flatMap(() => [
            ['forwarded', 200],
            ['redirect', 307],
          ])
          .sort(),
      );
    }, 60_000);

    it('a CDN serving other bytes fails the pull with ERR_DIGEST_MISMATCH', async () => {
      const { repo, image } = await pushed(`cdn-bad-${mode}`);
      const layer = image.layers[0];
      if (layer === undefined) throw new Error('the test image has no layer');
      const wrong = `sha256:${'1'.repeat(64)}`;
      served.set(wrong, new Uint8Array(layer.size).fill(7));
      proxy.addFault({
        method: 'GET',
        path: blobPath(repo, layer.digest),
        action: { kind: 'redirect', location: `${cdn.url}/blob/${wrong}` },
        times: 100,
      });
      const error = await rejectionOf(pullToLayout(viaProxy(repo), join(work, `bad-${mode}`)));
      expect(isImageError(error, 'ERR_DIGEST_MISMATCH'), String(error)).toBe(true);
      expect(cdn.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    }, 60_000);
  });
}
