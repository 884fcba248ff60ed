import { copyImage, insecureAcceptAnythingPolicy } from '@ferry/copy';
import { ociTransport } from '@ferry/oci-layout';
import type { RunningRegistry } from '@ferry/registry-server';
import { type FaultProxy, makeTestImage, startFaultProxy, type TestImage, writeTestImage } from '@ferry/testkit';
import type { ImageReference, RegistryOptions } from '@ferry/types';
import { dockerTransport } from '../index.ts';
import { freshRepository } from './test-registry.ts';

/** Registry settings for tests: plain HTTP, quick retries. */
export const FAST_RETRY: RegistryOptions = { tlsVerify: false, retryTimes: 4, retryDelayMs: 20 };

/** A docker: reference on `host` for a repository not used before. */
export function freshReference(host: string, options: RegistryOptions = FAST_RETRY, tag = 'v1'): ImageReference {
  return dockerTransport({ registry: options }).parseReference(`//${host}/${freshRepository('faults')}:${tag}`);
}

/** The same repository and tag, reached through another host (e.g. the proxy instead of the registry). */
export function viaHost(ref: ImageReference, host: string, options: RegistryOptions = FAST_RETRY): ImageReference {
  const name = (ref as { dockerReference?: { path: string; tag?: string } }).dockerReference;
  return dockerTransport({ registry: options }).parseReference(`//${host}/${name?.path}:${name?.tag ?? 'latest'}`);
}

/** Pushes a small test image straight to the registry (no proxy) and returns it with its reference. */
export async function pushedImage(
  registry: RunningRegistry,
  salt: string,
): Promise<{ ref: ImageReference; image: TestImage }> {
  const image = makeTestImage({ salt });
  const ref = freshReference(registry.host);
  await writeTestImage(ref, image);
  return { ref, image };
}

/** Copies `src` into a new OCI layout under `dir` and returns the copied manifest's digest. */
export async function pullToLayout(src: ImageReference, dir: string): Promise<string> {
  const dest = ociTransport().parseReference(`${dir}:pulled`);
  const result = await copyImage(insecureAcceptAnythingPolicy(), dest, src, { reportWriter: () => {} });
  return result.digest;
}

/** Starts a fault proxy in front of a registry. */
export function proxyFor(registry: RunningRegistry): Promise<FaultProxy> {
  return startFaultProxy({ upstream: registry.url });
}
