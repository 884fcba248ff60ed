import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, runFerry } from '../cli/test-support/run-ferry.ts';
import { expectSixtyLayerTree } from './test-support/expect-tree.ts';
import { skopeoDiffIds, skopeoRaw, skopeoVerify } from './test-support/judges.ts';
import { OCI_MANIFEST } from './test-support/layout-writer.ts';
import { buildTestImages, type TestImages } from './test-support/test-images.ts';
import {
  isOciKind,
  KINDS,
  pathFor,
  refFor,
  requireTransport,
  type TransportKind,
  unpackOci,
} from './test-support/transport-refs.ts';

// The 60-layer image is written into every transport by skopeo, then copied by `ferry copy` from every
// transport into every transport; skopeo and umoci judge each result.

const DOCKER_V2S2 = 'application/vnd.docker.distribution.manifest.v2+json';

let work: string;
let images: TestImages;
const sources = new Map<TransportKind, string>();

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ferry-interop-matrix-'));
  images = buildTestImages(join(work, 'images'));
  for (const kind of KINDS) {
    const path = pathFor(kind, work, `skopeo-${kind}`);
    judge('skopeo', ['--insecure-policy', 'copy', '-q', `oci:${images.layout}:v1`, refFor(kind, path, true)]);
    sources.set(kind, path);
  }
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const PAIRS = KINDS.flatMap((src) => KINDS.map((dst) => [src, dst] as const));

describe('ferry copy of the 60-layer image, every transport pair (sources written by skopeo)', () => {
  it.each(PAIRS)(
    '%s → %s',
    async (src, dst) => {
      if (src === 'docker-archive' || dst === 'docker-archive') requireTransport('docker-archive');
      const srcRef = refFor(src, sources.get(src) as string);
      const dest = pathFor(dst, work, `ferry-${src}-to-${dst}`);
      const r = await runFerry(['copy', '-q', srcRef, refFor(dst, dest, true)]);
      expect(r.code, r.stderr).toBe(0);
      const destRef = refFor(dst, dest);
      // skopeo re-reads every blob and checks its digest and size
      skopeoVerify(destRef, work);
      expect(skopeoDiffIds(destRef)).toEqual(images.sixty.diffIds);
      const manifest = JSON.parse(skopeoRaw(destRef));
      expect(manifest.layers).toHaveLength(60);
      if (dst === 'docker-archive') expect(manifest.mediaType).toBe(DOCKER_V2S2);
      if (isOciKind(dst)) expect(manifest.mediaType).toBe(OCI_MANIFEST);
      if (src !== 'docker-archive' && dst !== 'docker-archive') {
        // nothing to convert: the manifest skopeo wrote is copied byte for byte
        expect(skopeoRaw(destRef)).toBe(skopeoRaw(refFor(src, sources.get(src) as string)));
      }
      if (isOciKind(dst)) expectSixtyLayerTree(unpackOci(dst, dest, work), images.tree);
    },
    30_000,
  );
});
