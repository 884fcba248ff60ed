import type { TarEntry } from './ustar.ts';

/**
 * Two small layers as zstd frames, precomputed so that the testkit (and a third party running the suite)
 * needs no zstd library. Each frame decompresses to `makeTar(ZSTD_LAYER_ENTRIES[i])`, which
 * `test-image.test.ts` checks with the `zstd` CLI where one is installed.
 *
 * How they were made (zstd 1.5.4): write `makeTar(ZSTD_LAYER_ENTRIES[i])` to `layer<i>.tar`, then
 * `zstd -q -19 -c layer<i>.tar | base64 -w0`. Regenerate both whenever the entries or `makeTar` change.
 */
export const ZSTD_LAYER_FRAMES: readonly string[] = [
  'KLUv/WQAC6UDAJIFEhGQfayFgbzcdtcFdjm+rqZWCg5ezsfwhb4XxhV0C/CxGi7UjIb3eI/ghxSCCjknvbdVuIf+1t4x/LLH2VHwYcwgwxFSw4V7GA8gMC0sOAdU/RcaVFYPrGoio8DRA07slMY4AAs/yOkdHzjgoADGk3sDxan9zw==',
  'KLUv/WQAC4UDALLEDxGgb7DHVIvpoeoKWsKvpsrDKQxa/ds9H3PgfRDeXBApxcwY3TOEDAnXoG+5zkndmar6lk8zQsaJ8znJedC3AREgIGsWFg/i8TcKJFzAC4NVTYfrVLNBHYsBKXYqjWEAFn6w0ns+8ACDAhhP6w1Y6veX',
];

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The tar entries each frame of {@link ZSTD_LAYER_FRAMES} holds. */
export const ZSTD_LAYER_ENTRIES: readonly (readonly TarEntry[])[] = [
  [{ name: 'etc/' }, { name: 'etc/motd', content: text('zstd layer made by @ferry/testkit\n'.repeat(20)) }],
  [
    { name: 'usr/' },
    { name: 'usr/bin/' },
    { name: 'usr/bin/hello', content: text('#!/bin/sh\necho hello zstd\n'), mode: 0o755 },
  ],
];

/** The zstd frames of {@link ZSTD_LAYER_FRAMES} as bytes. */
export function zstdLayerFrames(): Uint8Array[] {
  return ZSTD_LAYER_FRAMES.map((b64) => new Uint8Array(Buffer.from(b64, 'base64')));
}
