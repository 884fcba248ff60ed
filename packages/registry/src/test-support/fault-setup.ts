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
  const result = await copyImage(insecureAcceptAnythingPolicy(), dest, src, {
    reportWriter: () => {},
    blobRetry: { times: 1, delayMs: 10 },
  });
  return result.digest;
}

/** Starts a fault proxy in front of a registry. */
export function proxyFor(registry: RunningRegistry): Promise<FaultProxy> {
  return startFaultProxy({ upstream: registry.url });
}

/**
 * Writes an OCI layout holding one image whose single layer is larger than the upload chunk (a gzip of
 * `size` pseudo-random bytes), tagged `big`, and returns its reference and manifest digest.
 */
export async function bigImageLayout(
  dir: string,
  size: number,
  seed: number,
): Promise<{ ref: ImageReference; digest: string }> {
  const { compressStream, createDigester, digestBytes } = await import('@ferry/blob');
  const { pseudoRandomStream, streamOf } = await import('@ferry/testkit');
  const diff = createDigester();
  for await (const chunk of pseudoRandomStream(size, seed)) diff.update(chunk);
  const diffId = diff.finish().digest;
  const ref = ociTransport().parseReference(`${dir}:big`);
  await using dest = await ref.newImageDestination();
  const layer = await dest.putBlob(compressStream(pseudoRandomStream(size, seed), 'gzip', { level: 1 }), {});
  const configBytes = new TextEncoder().encode(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId] } }),
  );
  const config = await dest.putBlob(
    streamOf(configBytes),
    { digest: digestBytes(configBytes), size: configBytes.length },
    { isConfig: true },
  );
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    }),
  );
  await dest.putManifest({ bytes: manifest, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
  await dest.commit();
  return { ref, digest: digestBytes(manifest) };
}
