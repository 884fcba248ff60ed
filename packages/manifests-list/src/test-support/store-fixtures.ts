import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestBytes } from '@ferry/blob';
import { OCI_MANIFEST_MEDIA_TYPE } from '@ferry/manifest';
import { afterAll } from 'vitest';
import type { ListInstance } from '../list-types.ts';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh temp directory, removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-lists-'));
  made.push(dir);
  return dir;
}

/** Eight distinct platforms, for lists whose instances must not share one. */
export const PLATFORMS: readonly (readonly [string, string])[] = [
  ['linux', 'amd64'],
  ['linux', 'arm64'],
  ['linux', '386'],
  ['linux', 'ppc64le'],
  ['linux', 's390x'],
  ['linux', 'riscv64'],
  ['linux', 'mips64le'],
  ['windows', 'amd64'],
];

/** An image-manifest instance for `PLATFORMS[i]`, with a digest made from `salt`. */
export function testInstance(i: number, salt = `image-${i}`): ListInstance {
  const [os, architecture] = PLATFORMS[i] ?? ['linux', `arch${i}`];
  return { digest: digestBytes(salt), size: 100, mediaType: OCI_MANIFEST_MEDIA_TYPE, platform: { os, architecture } };
}
