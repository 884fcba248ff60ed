import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, runFerry } from '../cli/test-support/run-ferry.ts';
import { expectSixtyLayerTree } from './test-support/expect-tree.ts';
import { skopeoDiffIds, skopeoRaw, skopeoVerify } from './test-support/judges.ts';
import { buildTestImages, type TestImages } from './test-support/test-images.ts';
import { isOciKind, KINDS, pathFor, refFor, requireTransport, unpackOci } from './test-support/transport-refs.ts';

// `ferry copy` of the 60-layer image from the hand-made layout (GNU tar layers) into every transport;
// skopeo and umoci judge each result.

let work: string;
let images: TestImages;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ferry-interop-writes-'));
  images = buildTestImages(join(work, 'images'));
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('images Ferry writes from a hand-made layout', () => {
  it.each(KINDS)(
    'oci (GNU tar layers) → %s is read, verified and unpacked by the judges',
    async (dst) => {
      if (dst === 'docker-archive') requireTransport('docker-archive');
      const dest = pathFor(dst, work, `ferry-generated-to-${dst}`);
      const r = await runFerry(['copy', '-q', `oci:${images.layout}:v1`, refFor(dst, dest, true)]);
      expect(r.code, r.stderr).toBe(0);
      const destRef = refFor(dst, dest);
      skopeoVerify(destRef, work);
      expect(skopeoDiffIds(destRef)).toEqual(images.sixty.diffIds);
      if (dst !== 'docker-archive') {
        expect(skopeoRaw(destRef)).toBe(skopeoRaw(`oci:${images.layout}:v1`));
      } else {
        // docker-archive stores layers uncompressed under their diff_ids
        const layers = JSON.parse(skopeoRaw(destRef)).layers.map((l: { digest: string }) => l.digest);
        expect(layers).toEqual(images.sixty.diffIds);
      }
      const rootfs = isOciKind(dst)
        ? unpackOci(dst, dest, work)
        : unpackOci('oci', viaSkopeoToOci(destRef, `back-from-${dst}`), work);
      expectSixtyLayerTree(rootfs, images.tree);
    },
    30_000,
  );
});

describe('the ferry binary on the 60-layer image', () => {
  it('prints nothing at all with -q (no runtime warnings either)', () => {
    const bin = new URL('../../dist/bin/ferry.mjs', import.meta.url).pathname;
    const dest = join(work, 'quiet');
    const r = spawnSync(process.execPath, [bin, 'copy', '-q', `oci:${images.layout}:v1`, `oci:${dest}:v1`], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    skopeoVerify(`oci:${dest}:v1`, work);
  }, 30_000);
});

// a non-OCI result is brought back into a layout by skopeo, so umoci can unpack what Ferry wrote
function viaSkopeoToOci(ref: string, name: string): string {
  const layout = join(work, name);
  judge('skopeo', ['--insecure-policy', 'copy', '-q', ref, `oci:${layout}:v1`]);
  return layout;
}
