import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  collectBytes,
  digestOf,
  failingStream,
  makeTar,
  makeTestImage,
  makeTestImageList,
  pseudoRandomStream,
  streamOf,
} from './index.ts';
import { ZSTD_LAYER_ENTRIES } from './zstd-layers.ts';

describe('makeTestImage', () => {
  it('is deterministic and self-consistent', () => {
    const a = makeTestImage();
    const b = makeTestImage();
    expect(Array.from(a.manifest.bytes)).toEqual(Array.from(b.manifest.bytes));
    expect(a.manifest.digest).toBe(digestOf(a.manifest.bytes));
    const manifest = JSON.parse(new TextDecoder().decode(a.manifest.bytes));
    expect(manifest.config.digest).toBe(a.config.digest);
    expect(manifest.layers.map((l: { digest: string }) => l.digest)).toEqual(a.layers.map((l) => l.digest));
    const config = JSON.parse(new TextDecoder().decode(a.config.bytes));
    expect(config.rootfs.diff_ids).toEqual(a.layers.map((l) => digestOf(gunzipSync(l.bytes))));
    expect(makeTestImage({ salt: 'x' }).layers[0]?.digest).not.toBe(a.layers[0]?.digest);
  });

  it('makes layers that GNU tar lists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'testkit-'));
    const names = makeTestImage().layers.map((layer, i) => {
      const file = join(dir, `layer-${i}.tar.gz`);
      writeFileSync(file, layer.bytes);
      return execFileSync('tar', ['-tzvf', file], { encoding: 'utf8' });
    });
    expect(names[0]).toMatch(/etc\/hostname/);
    expect(names[1]).toMatch(/-rwxr-xr-x .* usr\/bin\/hello/);
  });

  it('builds a zstd image whose frames decompress to the tars its config names', () => {
    const image = makeTestImage({ layerCompression: 'zstd', salt: 'z' });
    const manifest = JSON.parse(new TextDecoder().decode(image.manifest.bytes));
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([ZSTD, ZSTD]);
    const config = JSON.parse(new TextDecoder().decode(image.config.bytes));
    expect(config.rootfs.diff_ids).toEqual(ZSTD_LAYER_ENTRIES.map((entries) => digestOf(makeTar(entries))));
    for (const layer of image.layers) expect(Array.from(layer.bytes.subarray(0, 4))).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
    expect(makeTestImage({ layerCompression: 'zstd', salt: 'y' }).config.digest).not.toBe(image.config.digest);
  });

  it.runIf(hasZstd())('embeds zstd frames that the zstd CLI decompresses to those tars', () => {
    const image = makeTestImage({ layerCompression: 'zstd' });
    const config = JSON.parse(new TextDecoder().decode(image.config.bytes));
    const tars = image.layers.map(
      (layer) => new Uint8Array(execFileSync('zstd', ['-d', '-c', '-q'], { input: layer.bytes })),
    );
    expect(tars.map(digestOf)).toEqual(config.rootfs.diff_ids);
  });

  it('builds a list naming both instances', () => {
    const list = makeTestImageList();
    const index = JSON.parse(new TextDecoder().decode(list.manifest.bytes));
    expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual(list.images.map((i) => i.manifest.digest));
    expect(new Set(list.images.map((i) => i.manifest.digest)).size).toBe(2);
  });
});

const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

function hasZstd(): boolean {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('stream helpers', () => {
  it('streamOf chunks and collectBytes joins', async () => {
    const bytes = new Uint8Array(1000).map((_, i) => i & 0xff);
    const chunks: number[] = [];
    for await (const c of streamOf(bytes, 300)) chunks.push(c.byteLength);
    expect(chunks).toEqual([300, 300, 300, 100]);
    expect(Array.from(await collectBytes(streamOf(bytes, 7)))).toEqual(Array.from(bytes));
  });

  it('failingStream yields the head, then throws', async () => {
    const boom = new Error('boom');
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const c of failingStream(new Uint8Array(50), 20, boom)) got.push(c.byteLength);
      })(),
    ).rejects.toBe(boom);
    expect(got.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('pseudoRandomStream is deterministic with the requested size', async () => {
    const a = await collectBytes(pseudoRandomStream(5000, 3, 1024));
    const b = await collectBytes(pseudoRandomStream(5000, 3, 999));
    expect(a.byteLength).toBe(5000);
    expect(digestOf(a)).toBe(digestOf(b));
    expect(digestOf(a)).not.toBe(digestOf(await collectBytes(pseudoRandomStream(5000, 4))));
  });
});
