import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestBytes } from '@ferry/blob';
import { dirTransport } from '@ferry/dir';
import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from '@ferry/manifest';
import { ociTransport } from '@ferry/oci-layout';
import { dockerTransport, parseDockerImageName } from '@ferry/registry';
import { type RunningRegistry, startRegistry } from '@ferry/registry-server';
import {
  createTransportRegistry,
  type Digest,
  ImageError,
  type ImageSigner,
  isImageError,
  type PolicyContext,
  type SigningInput,
} from '@ferry/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFromReference } from './add-from-reference.ts';
import type { StoredList } from './list-store.ts';
import { ManifestList } from './manifest-list.ts';
import { type PushListOptions, pushManifestList } from './push-list.ts';
import { skopeo } from './test-support/image-layout.ts';
import { type OriginImages, originImages } from './test-support/origin-images.ts';
import { tempDir } from './test-support/store-fixtures.ts';

const transports = createTransportRegistry([ociTransport(), dirTransport(), dockerTransport()]);
const ACCEPT: PolicyContext = { checkImageAllowed: async () => undefined };
const options: PushListOptions = { resolveOrigin: (text) => transports.parse(text) };

let images: OriginImages;
beforeAll(async () => {
  images = await originImages();
}, 30_000);

/** A stored list of the amd64 image and the arm64 image, each added from `arm64From` or its OCI layout. */
async function twoImageList(arm64From = `oci:${images.arm64Dir}:v1`): Promise<StoredList> {
  const a = await addFromReference(ManifestList.empty(), transports.parse(`oci:${images.amd64Dir}:v1`));
  const b = await addFromReference(a.list, transports.parse(arm64From));
  return { name: 'app', list: b.list, origins: new Map([...a.origins, ...b.origins]) };
}

interface LayoutEntry {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly annotations?: Record<string, string>;
}

async function tagged(dir: string, tag: string): Promise<LayoutEntry | undefined> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: LayoutEntry[] };
  return index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
}

async function blob(dir: string, digest: string): Promise<{ mediaType: string; manifests: LayoutEntry[] }> {
  return JSON.parse(await readFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), 'utf8'));
}

const hasBlob = (dir: string, digest: string): boolean =>
  existsSync(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)));

async function blobCount(dir: string): Promise<number> {
  return existsSync(join(dir, 'blobs', 'sha256')) ? (await readdir(join(dir, 'blobs', 'sha256'))).length : 0;
}

describe('pushManifestList into an OCI layout', () => {
  it('copies both instances from their layouts and puts the stored list unchanged', async () => {
    const stored = await twoImageList();
    const dest = await tempDir();
    const result = await pushManifestList(ACCEPT, stored, transports.parse(`oci:${dest}:v1`), options);
    const own = stored.list.serialize('oci');
    expect(result.digest).toBe(own.digest);
    expect(result.mediaType).toBe(OCI_INDEX_MEDIA_TYPE);
    expect(await tagged(dest, 'v1')).toMatchObject({ digest: own.digest, mediaType: OCI_INDEX_MEDIA_TYPE });
    for (const d of [images.amd64.digest, images.arm64.digest]) expect(hasBlob(dest, d)).toBe(true);
    // the judge copies the whole list, verifying every digest
    await skopeo('copy', '-q', '--all', `oci:${dest}:v1`, `oci:${await tempDir()}:judged`);
  });

  it('writes format v2s2 as a Docker list of converted instances, the list naming their new digests', async () => {
    const stored = await twoImageList();
    const dest = await tempDir();
    const result = await pushManifestList(ACCEPT, stored, transports.parse(`oci:${dest}:v1`), {
      ...options,
      format: 'v2s2',
    });
    expect(result.mediaType).toBe(DOCKER_V2_LIST_MEDIA_TYPE);
    expect(result.digest).toBe(digestBytes(result.manifest));
    expect((await tagged(dest, 'v1'))?.digest).toBe(result.digest);
    // read from the layout: skopeo 1.9 does not resolve a tag whose entry is a Docker type (the dir: case below
    // has skopeo judge a v2s2 push)
    const list = await blob(dest, result.digest);
    expect(list.mediaType).toBe(DOCKER_V2_LIST_MEDIA_TYPE);
    expect(list.manifests.map((m) => m.mediaType)).toEqual([DOCKER_V2S2_MEDIA_TYPE, DOCKER_V2S2_MEDIA_TYPE]);
    for (const entry of list.manifests) {
      expect([images.amd64.digest, images.arm64.digest]).not.toContain(entry.digest);
      expect((await blob(dest, entry.digest)).mediaType).toBe(DOCKER_V2S2_MEDIA_TYPE);
    }
  });

  it('writes format oci of a list stored as a Docker list as an OCI index', async () => {
    const stored = await twoImageList();
    const docker = ManifestList.parse(stored.list.serialize('v2s2').bytes);
    const dest = await tempDir();
    const result = await pushManifestList(ACCEPT, { ...stored, list: docker }, transports.parse(`oci:${dest}:v1`), {
      ...options,
      format: 'oci',
    });
    expect(result.mediaType).toBe(OCI_INDEX_MEDIA_TYPE);
    const index = await blob(dest, result.digest);
    expect(index.manifests.map((m) => m.digest)).toEqual([images.amd64.digest, images.arm64.digest]);
    expect(index.manifests.map((m) => m.mediaType)).toEqual([OCI_MANIFEST_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE]);
  });

  it('copies only the chosen instances, the list still naming every one', async () => {
    const stored = await twoImageList();
    const byDigest = await tempDir();
    await pushManifestList(ACCEPT, stored, transports.parse(`oci:${byDigest}:v1`), {
      ...options,
      selection: { instances: [images.amd64.digest as Digest] },
    });
    expect([hasBlob(byDigest, images.amd64.digest), hasBlob(byDigest, images.arm64.digest)]).toEqual([true, false]);
    const byPlatform = await tempDir();
    const result = await pushManifestList(ACCEPT, stored, transports.parse(`oci:${byPlatform}:v1`), {
      ...options,
      selection: { platforms: [{ architecture: 'arm64' }] },
    });
    expect([hasBlob(byPlatform, images.amd64.digest), hasBlob(byPlatform, images.arm64.digest)]).toEqual([false, true]);
    expect((await blob(byPlatform, result.digest)).manifests).toHaveLength(2);
  });

  it('puts the list alone with list-only, reading no origin', async () => {
    const stored = await twoImageList();
    const dest = await tempDir();
    const unreachable: StoredList = {
      ...stored,
      origins: new Map([...stored.origins.keys()].map((d) => [d, `oci:${dest}-missing:v1`])),
    };
    const result = await pushManifestList(ACCEPT, unreachable, transports.parse(`oci:${dest}:v1`), {
      ...options,
      selection: 'list-only',
    });
    expect((await tagged(dest, 'v1'))?.digest).toBe(result.digest);
    expect(await blobCount(dest)).toBe(1);
  });
});

describe('pushManifestList of instances added from a list', () => {
  it('reads each instance inside the list it was added from', async () => {
    const added = await addFromReference(ManifestList.empty(), transports.parse(`oci:${images.multiDir}:multi`), {
      all: true,
    });
    const stored: StoredList = { name: 'multi', list: added.list, origins: added.origins };
    const dest = await tempDir();
    const result = await pushManifestList(ACCEPT, stored, transports.parse(`oci:${dest}:v1`), options);
    // the stored list is the origin's own index, so its digest is kept
    expect(result.digest).toBe(images.multi.digest);
    for (const i of Object.values(images.listed)) expect(hasBlob(dest, i.digest)).toBe(true);
  });

  it('rejects with the signal reason when aborted', async () => {
    const stored = await twoImageList();
    const reason = new Error('stop');
    const error = await pushManifestList(ACCEPT, stored, transports.parse(`oci:${await tempDir()}:v1`), {
      ...options,
      signal: AbortSignal.abort(reason),
    }).catch((e: unknown) => e);
    expect(error).toBe(reason);
  });
});

describe('pushManifestList into dir:', () => {
  it('stores the list as manifest.json and each instance beside it', async () => {
    const stored = await twoImageList();
    const dest = join(await tempDir(), 'image');
    const result = await pushManifestList(ACCEPT, stored, transports.parse(`dir:${dest}`), options);
    expect(await readFile(join(dest, 'manifest.json'))).toEqual(Buffer.from(result.manifest));
    for (const d of [images.amd64.digest, images.arm64.digest]) {
      expect(existsSync(join(dest, `${d.slice('sha256:'.length)}.manifest.json`))).toBe(true);
    }
    await skopeo('copy', '-q', '--all', `dir:${dest}`, `oci:${await tempDir()}:judged`);
  });

  it('stores format v2s2 that skopeo reads back as a Docker list of schema 2 images', async () => {
    const stored = await twoImageList();
    const dest = join(await tempDir(), 'image');
    const result = await pushManifestList(ACCEPT, stored, transports.parse(`dir:${dest}`), {
      ...options,
      format: 'v2s2',
    });
    const raw = JSON.parse(await skopeo('inspect', '--raw', `dir:${dest}`));
    expect(raw.mediaType).toBe(DOCKER_V2_LIST_MEDIA_TYPE);
    expect(raw.manifests.map((m: LayoutEntry) => m.mediaType)).toEqual([
      DOCKER_V2S2_MEDIA_TYPE,
      DOCKER_V2S2_MEDIA_TYPE,
    ]);
    expect(raw.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture)).toEqual([
      'amd64',
      'arm64',
    ]);
    for (const entry of raw.manifests as LayoutEntry[]) {
      // converted instances: new digests, which their stored bytes match
      expect([images.amd64.digest, images.arm64.digest]).not.toContain(entry.digest);
      const bytes = await readFile(join(dest, `${entry.digest.slice('sha256:'.length)}.manifest.json`));
      expect(digestBytes(bytes)).toBe(entry.digest);
      expect(JSON.parse(bytes.toString('utf8')).mediaType).toBe(DOCKER_V2S2_MEDIA_TYPE);
    }
    expect(await readFile(join(dest, 'manifest.json'))).toEqual(Buffer.from(result.manifest));
    await skopeo('copy', '-q', '--all', `dir:${dest}`, `oci:${await tempDir()}:judged`);
  });
});

describe('pushManifestList failures leave the destination as it was', () => {
  it('refuses an instance whose origin changed since it was added (ERR_MANIFEST_UNKNOWN)', async () => {
    const origin = join(await tempDir(), 'layout');
    await skopeo('copy', '-q', `oci:${images.arm64Dir}:v1`, `oci:${origin}:v1`);
    const stored = await twoImageList(`oci:${origin}:v1`);
    // the tag moves to another image after the add
    await skopeo('copy', '-q', `oci:${images.multiDir}:multi`, `oci:${origin}:v1`);
    const dest = await tempDir();
    const error = await pushManifestList(ACCEPT, stored, transports.parse(`oci:${dest}:v1`), options).catch(
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_MANIFEST_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain(images.arm64.digest);
    expect(existsSync(join(dest, 'index.json')) ? await tagged(dest, 'v1') : undefined).toBeUndefined();
    // the amd64 instance, copied first, was discarded with the failed destination
    expect(await blobCount(dest)).toBe(0);
  });

  it('refuses an origin the policy rejects (here by transport) and writes no list', async () => {
    const rejectDir: PolicyContext = {
      async checkImageAllowed({ source }) {
        if (source.reference.transport.name === 'dir') {
          throw new ImageError('ERR_POLICY_REJECTED', `dir:${source.reference.withinTransport} is not trusted`);
        }
      },
    };
    const stored = await twoImageList(`dir:${images.arm64DirImage}`);
    const dest = await tempDir();
    const error = await pushManifestList(rejectDir, stored, transports.parse(`oci:${dest}:v1`), options).catch(
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_POLICY_REJECTED')).toBe(true);
    expect(existsSync(join(dest, 'index.json')) ? await tagged(dest, 'v1') : undefined).toBeUndefined();
    expect(await blobCount(dest)).toBe(0);
    // the same list is pushed when the policy accepts dir:
    const accepted = await tempDir();
    await pushManifestList(ACCEPT, stored, transports.parse(`oci:${accepted}:v1`), options);
    expect(hasBlob(accepted, images.arm64.digest)).toBe(true);
  });

  it('refuses a Docker format for a list a Docker list cannot hold, before writing', async () => {
    const stored = await twoImageList();
    const annotated: StoredList = { ...stored, list: stored.list.annotateList({ annotations: { a: 'b' } }) };
    const dest = await tempDir();
    const error = await pushManifestList(ACCEPT, annotated, transports.parse(`oci:${dest}:v1`), {
      ...options,
      format: 'v2s2',
    }).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_MANIFEST_CONVERSION')).toBe(true);
    expect(await blobCount(dest)).toBe(0);
  });
});

/** An ImageSigner that records what it signed and returns a placeholder signature. */
function recordingSigner(): ImageSigner & { readonly signed: SigningInput[] } {
  const signed: SigningInput[] = [];
  return {
    kind: 'simple-signing',
    signed,
    async sign(input) {
      signed.push(input);
      return { kind: 'simple-signing', bytes: new TextEncoder().encode(`signed ${input.manifestDigest}`) };
    },
  };
}

describe('pushManifestList with signers', () => {
  it('signs the list, not its instances, in dir:', async () => {
    const stored = await twoImageList();
    const dest = join(await tempDir(), 'image');
    const signer = recordingSigner();
    const result = await pushManifestList(ACCEPT, stored, transports.parse(`dir:${dest}`), {
      ...options,
      signers: [signer],
      signIdentity: parseDockerImageName('//registry.example/app:v1'),
    });
    expect(signer.signed.map((s) => s.manifestDigest)).toEqual([result.digest]);
    expect(signer.signed[0]?.identity.toString()).toBe('registry.example/app:v1');
    expect(await readFile(join(dest, 'signature-1'), 'utf8')).toContain(`signed ${result.digest}`);
    expect((await readdir(dest)).filter((f) => f.includes('.signature-'))).toEqual([]);
  });
});

describe('pushManifestList to a registry', () => {
  let registry: RunningRegistry;
  let registriesDir: string;
  let lookaside: string;
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'http' });
    registriesDir = await tempDir();
    lookaside = await tempDir();
    await mkdir(registriesDir, { recursive: true });
    await writeFile(join(registriesDir, 'test.yaml'), `default-docker:\n  lookaside-staging: file://${lookaside}\n`);
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('pushes the instances and the list, and signs the list in the lookaside', async () => {
    const stored = await twoImageList();
    const signer = recordingSigner();
    const dest = `docker://${registry.host}/lists/app:v1`;
    const result = await pushManifestList(ACCEPT, stored, transports.parse(dest), {
      ...options,
      destinationOptions: { registry: { tlsVerify: false, registriesDir } },
      signers: [signer],
    });
    const raw = JSON.parse(await skopeo('inspect', '--raw', '--tls-verify=false', dest));
    expect(raw.manifests.map((m: LayoutEntry) => m.digest)).toEqual([images.amd64.digest, images.arm64.digest]);
    expect(signer.signed.map((s) => [s.manifestDigest, s.identity.toString()])).toEqual([
      [result.digest, `${registry.host}/lists/app:v1`],
    ]);
    const hex = result.digest.slice('sha256:'.length);
    expect(existsSync(join(lookaside, 'lists', `app@sha256=${hex}`, 'signature-1'))).toBe(true);
    await skopeo('copy', '-q', '--all', '--src-tls-verify=false', dest, `oci:${await tempDir()}:judged`);
  }, 60_000);
});
