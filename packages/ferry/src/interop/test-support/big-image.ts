import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { gnuTar, LAYER_GZIP, LayoutWriter, sha256 } from './layout-writer.ts';

const BLOCK = 4096;

// half text-like, half random 4 KiB blocks: compresses about 2×, so (de)compression takes real time
function payload(size: number, seed: number): Buffer {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const out = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; at += BLOCK) {
    const block = out.subarray(at, at + BLOCK);
    if (next() & 1) {
      for (let i = 0; i + 4 <= block.length; i += 4) block.writeUInt32LE(next(), i);
    } else {
      block.fill(`word${next() % 97} line ${next() % 13}\n`);
    }
  }
  return out;
}

/**
 * Builds, in `scratch`, an OCI layout at `layout` with tag `v1`: an image of `layers` layers of `mib` MiB
 * each (semi-compressible, deterministic, gzip level 1), big enough that a copy can be killed midway.
 */
export function buildBigImage(layout: string, scratch: string, layers = 2, mib = 24): void {
  const w = new LayoutWriter(layout);
  const built = Array.from({ length: layers }, (_, i) => {
    const root = mkdtempSync(join(scratch, 'big-layer-'));
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data', `blob-${i}`), payload(mib * 2 ** 20, 7919 * (i + 1)));
    const tar = gnuTar(root);
    rmSync(root, { recursive: true, force: true });
    return { bytes: gzipSync(tar, { level: 1 }), mediaType: LAYER_GZIP, diffId: sha256(tar) };
  });
  w.tag(w.image(built, { architecture: 'amd64', os: 'linux' }, '2024-01-01T00:00:00Z'), 'v1');
}
