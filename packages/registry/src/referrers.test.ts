import { digestBytes } from '@ferry/blob';
import { makeTestImage, streamOf, writeTestImage } from '@ferry/testkit';
import type { Digest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { dockerTransport, listReferrers, listTags, referrersTag } from './index.ts';
import { freshRepository, sharedRegistry } from './test-support/test-registry.ts';

const registry = sharedRegistry('http');
const options = { registry: { tlsVerify: false } };
const transport = dockerTransport(options);
const EMPTY = new TextEncoder().encode('{}');

function artifact(subject: { digest: Digest; size: number }, artifactType: string, note: string): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestBytes(EMPTY), size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: digestBytes(EMPTY), size: 2 }],
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...subject },
      annotations: { note },
    }),
  );
}

async function pushArtifact(host: string, repo: string, bytes: Uint8Array): Promise<Digest> {
  const digest = digestBytes(bytes);
  await using dest = await transport.parseReference(`//${host}/${repo}@${digest}`).newImageDestination();
  await dest.putBlob(streamOf(EMPTY), { digest: digestBytes(EMPTY), size: 2 });
  await dest.putManifest({ bytes, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
  await dest.commit();
  return digest;
}

describe('referrers on a registry without the referrers API (distribution 2.8): the tag schema', () => {
  it('lists what was pushed with a subject, filters by artifact type, and keeps one entry per manifest', async () => {
    const { host } = await registry();
    const repo = freshRepository('referrers');
    const image = makeTestImage({ salt: 'referrers' });
    await writeTestImage(transport.parseReference(`//${host}/${repo}:v1`), image);
    const subject = { digest: image.manifest.digest, size: image.manifest.bytes.byteLength };
    const repository = { domain: host, path: repo };
    expect(await listReferrers(repository, subject.digest, options)).toEqual([]);

    const sbom = await pushArtifact(host, repo, artifact(subject, 'application/spdx+json', 'sbom'));
    const sig = await pushArtifact(
      host,
      repo,
      artifact(subject, 'application/vnd.dev.cosign.artifact.sig.v1+json', 'sig'),
    );
    await pushArtifact(host, repo, artifact(subject, 'application/spdx+json', 'sbom'));

    const all = await listReferrers(repository, subject.digest, options);
    expect(all.map((e) => e.digest).sort()).toEqual([sbom, sig].sort());
    expect(all.find((e) => e.digest === sbom)).toMatchObject({
      artifactType: 'application/spdx+json',
      annotations: { note: 'sbom' },
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    const sboms = await listReferrers(repository, subject.digest, {
      ...options,
      artifactType: 'application/spdx+json',
    });
    expect(sboms.map((e) => e.digest)).toEqual([sbom]);
    expect(await listTags(repository, options)).toContain(referrersTag(subject.digest));
  });
});

describe('referrers on a registry with the referrers API', () => {
  it('reads the API answer, and filters client-side when the server did not', async () => {
    const { startFaultProxy } = await import('@ferry/testkit');
    const upstream = await registry();
    await using proxy = await startFaultProxy({ upstream: upstream.url });
    const subject = digestBytes('subject');
    const entry = (n: number, type: string) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: digestBytes(`referrer ${n}`),
      size: 100 + n,
      artifactType: type,
    });
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [entry(1, 'a/x'), entry(2, 'b/y')],
    };
    proxy.addFault({
      method: 'GET',
      path: `/v2/app/referrers/${subject}`,
      times: 2,
      action: {
        kind: 'status',
        status: 200,
        headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
        body: JSON.stringify(index),
      },
    });
    const repository = { domain: proxy.host, path: 'app' };
    expect((await listReferrers(repository, subject, options)).map((e) => e.size)).toEqual([101, 102]);
    expect((await listReferrers(repository, subject, { ...options, artifactType: 'b/y' })).map((e) => e.size)).toEqual([
      102,
    ]);
    // the fallback tag was never asked for: the API answered
    expect(proxy.requests().some((r) => r.path.includes('/manifests/sha256-'))).toBe(false);
  });
});
