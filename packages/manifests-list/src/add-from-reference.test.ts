import { OCI_INDEX_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE } from '@ferry/manifest';
import { ociTransport } from '@ferry/oci-layout';
import { type Digest, type ImageReference, isImageError } from '@ferry/types';
import { beforeAll, describe, expect, it } from 'vitest';
import { addFromReference, listFromReference } from './add-from-reference.ts';
import { ManifestList } from './manifest-list.ts';
import { type OriginImages, originImages } from './test-support/origin-images.ts';

let images: OriginImages;
beforeAll(async () => {
  images = await originImages();
});

const oci = (dir: string, tag: string): ImageReference => ociTransport().parseReference(`${dir}:${tag}`);
const digests = (list: ManifestList): Digest[] => list.instances.map((i) => i.digest);
// the running system's architecture as a list names it (the CI machines are amd64 or arm64)
const systemArch = process.arch === 'x64' ? 'amd64' : process.arch;

describe('addFromReference', () => {
  it('adds a single image with the platform of its config and records its origin', async () => {
    const ref = oci(images.arm64Dir, 'v1');
    const { list, added, origins } = await addFromReference(ManifestList.empty(), ref);
    expect(added).toEqual([
      {
        digest: images.arm64.digest,
        size: images.arm64.size,
        mediaType: OCI_MANIFEST_MEDIA_TYPE,
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      },
    ]);
    expect(list.instances).toEqual(added);
    expect([...origins]).toEqual([[images.arm64.digest, `oci:${images.arm64Dir}:v1`]]);
  });

  it('adds to the instances already in the list', async () => {
    const first = await addFromReference(ManifestList.empty(), oci(images.amd64Dir, 'v1'));
    const second = await addFromReference(first.list, oci(images.arm64Dir, 'v1'));
    expect(digests(second.list)).toEqual([images.amd64.digest, images.arm64.digest]);
    // only the new instance's origin is reported
    expect([...second.origins.keys()]).toEqual([images.arm64.digest]);
  });

  it('adds every instance of a list with all, each with the list entry platform and the list as origin', async () => {
    const { list, added, origins } = await addFromReference(ManifestList.empty(), oci(images.multiDir, 'multi'), {
      all: true,
    });
    const { amd64, arm64, armV7 } = images.listed;
    expect(digests(list)).toEqual([amd64.digest, arm64.digest, armV7.digest]);
    expect(added.map((i) => i.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ]);
    expect(new Set(origins.values())).toEqual(new Set([`oci:${images.multiDir}:multi`]));
    expect(origins.size).toBe(3);
  });

  it('adds only the instance for the given platform without all', async () => {
    const { list } = await addFromReference(ManifestList.empty(), oci(images.multiDir, 'multi'), {
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    });
    expect(digests(list)).toEqual([images.listed.armV7.digest]);
  });

  it('adds only the instance for the running system without all or a platform', async () => {
    const { added } = await addFromReference(ManifestList.empty(), oci(images.multiDir, 'multi'));
    expect(added).toHaveLength(1);
    expect(added[0]?.platform?.architecture).toBe(systemArch);
  });

  it('refuses a list without an instance for the platform', async () => {
    const error = await addFromReference(ManifestList.empty(), oci(images.multiDir, 'multi'), {
      platform: { os: 'linux', architecture: 's390x' },
    }).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_NO_MATCHING_PLATFORM')).toBe(true);
  });

  it('refuses a second image with a platform already in the list, naming the conflict', async () => {
    const { list } = await addFromReference(ManifestList.empty(), oci(images.amd64Dir, 'v1'));
    const error = await addFromReference(list, oci(images.multiDir, 'multi'), {
      platform: { os: 'linux', architecture: 'amd64' },
    }).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/duplicate platform/);
  });

  it('replaces an instance added again instead of refusing it', async () => {
    const ref = oci(images.amd64Dir, 'v1');
    const once = await addFromReference(ManifestList.empty(), ref);
    const twice = await addFromReference(once.list, ref);
    expect(digests(twice.list)).toEqual([images.amd64.digest]);
  });

  it('fails with the source error for an image that does not exist', async () => {
    const error = await addFromReference(ManifestList.empty(), oci(images.amd64Dir, 'missing')).catch(
      (e: unknown) => e,
    );
    expect(isImageError(error)).toBe(true);
  });
});

describe('listFromReference', () => {
  it('loads a list as it is, every instance coming from the reference', async () => {
    const ref = oci(images.multiDir, 'multi');
    const { list, added, origins } = await listFromReference(ref);
    expect(list.mediaType).toBe(OCI_INDEX_MEDIA_TYPE);
    expect(list.serialize('oci').digest).toBe(images.multi.digest);
    expect(added).toEqual(list.instances);
    expect([...origins.keys()]).toEqual(digests(list));
    expect(new Set(origins.values())).toEqual(new Set([`oci:${images.multiDir}:multi`]));
  });

  it('loads a single image as a list of one', async () => {
    const { list, origins } = await listFromReference(oci(images.amd64Dir, 'v1'));
    expect(list.mediaType).toBe(OCI_INDEX_MEDIA_TYPE);
    expect(list.instances).toEqual([
      {
        digest: images.amd64.digest,
        size: images.amd64.size,
        mediaType: OCI_MANIFEST_MEDIA_TYPE,
        platform: { os: 'linux', architecture: 'amd64' },
      },
    ]);
    expect([...origins]).toEqual([[images.amd64.digest, `oci:${images.amd64Dir}:v1`]]);
  });
});
