import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { defaultTransports } from '../../default-transports.ts';
import { umociUnpack } from './judges.ts';

/** The local transports of the matrix. */
export type TransportKind = 'oci' | 'oci-archive' | 'dir' | 'docker-archive';

/** Every transport of the matrix, in a fixed order. */
export const KINDS: readonly TransportKind[] = ['oci', 'oci-archive', 'dir', 'docker-archive'];

/** Whether a transport stores an OCI image layout (so umoci can unpack it). */
export function isOciKind(kind: TransportKind): boolean {
  return kind === 'oci' || kind === 'oci-archive';
}

/** A fresh path for an image of `kind` in `work` (archives get a `.tar` name). */
export function pathFor(kind: TransportKind, work: string, name: string): string {
  return join(work, kind.endsWith('archive') ? `${name}.tar` : name);
}

/**
 * The image name of the image at `path`: tag `v1` in layouts, `ferry/interop:v1` in docker archives
 * (`docker-archive:PATH` alone when `forWriting` is false, as an archive of one image is read so).
 */
export function refFor(kind: TransportKind, path: string, forWriting = false): string {
  if (kind === 'oci' || kind === 'oci-archive') return `${kind}:${path}:v1`;
  if (kind === 'dir') return `dir:${path}`;
  return forWriting ? `docker-archive:${path}:ferry/interop:v1` : `docker-archive:${path}`;
}

/**
 * Fails (never skips) when `kind` is not among Ferry's default transports, so a missing transport shows
 * as a red test in CI.
 */
export function requireTransport(kind: TransportKind): void {
  expect(defaultTransports().get(kind), `${kind}: is not in defaultTransports()`).toBeDefined();
}

/** umoci-unpacks tag `v1` of an `oci:` layout or an `oci-archive:` file (extracted first); returns the rootfs. */
export function unpackOci(kind: TransportKind, path: string, work: string): string {
  if (kind === 'oci') return umociUnpack(path, 'v1', work);
  const layout = join(mkdtempSync(join(work, 'extracted-')), 'layout');
  mkdirSync(layout);
  execFileSync('/usr/bin/tar', ['-xf', path, '-C', layout]);
  return umociUnpack(layout, 'v1', work);
}
