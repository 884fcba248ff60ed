import { readLimited } from '@ferry/blob';
import { configDescriptor, parseManifest } from '@ferry/manifest';
import { ociTransport } from '@ferry/oci-layout';
import {
  type Digest,
  ImageError,
  type ImageReference,
  type ImageSource,
  isImageError,
  type PolicyContext,
  type UnverifiedImage,
} from '@ferry/types';
import { beforeAll, describe, expect, it } from 'vitest';
import { ListImage, type ListSourceInit, originPolicy } from './list-source.ts';
import { ManifestList } from './manifest-list.ts';
import { type OriginImages, originImages } from './test-support/origin-images.ts';

let images: OriginImages;
beforeAll(async () => {
  images = await originImages();
});

/** A reference that counts the sources opened and closed through it. */
function counted(dir: string, tag: string): { ref: () => ImageReference; opened: number; closed: number } {
  const inner = ociTransport().parseReference(`${dir}:${tag}`);
  const counts = { opened: 0, closed: 0 };
  const ref: ImageReference = {
    ...inner,
    newImageSource: async (options) => {
      counts.opened++;
      const source = await inner.newImageSource(options);
      return new Proxy(source, {
        get(target, key) {
          if (key !== Symbol.asyncDispose) {
            // bound to the source itself: its methods use private fields, which a proxy does not have
            const value: unknown = Reflect.get(target, key, target);
            return typeof value === 'function' ? value.bind(target) : value;
          }
          return async () => {
            counts.closed++;
            await target[Symbol.asyncDispose]();
          };
        },
      });
    },
  };
  return Object.assign(counts, { ref: () => ref });
}

/** A list of the amd64 image (from its own layout) and the arm/v7 instance of the multi layout's list. */
function twoOrigins(): { init: ListSourceInit; amd64: ReturnType<typeof counted>; multi: ReturnType<typeof counted> } {
  const amd64 = counted(images.amd64Dir, 'v1');
  const multi = counted(images.multiDir, 'multi');
  const list = ManifestList.empty()
    .add({ digest: images.amd64.digest as Digest, size: images.amd64.size, mediaType: images.amd64.mediaType })
    .add({
      digest: images.listed.armV7.digest as Digest,
      size: images.listed.armV7.size,
      mediaType: images.amd64.mediaType,
    })
    .add({
      digest: images.listed.arm64.digest as Digest,
      size: images.listed.arm64.size,
      mediaType: images.amd64.mediaType,
    });
  const { bytes, mediaType } = list.serialize('oci');
  const init: ListSourceInit = {
    name: 'app',
    list: { bytes, mediaType },
    origins: new Map([
      [images.amd64.digest as Digest, amd64.ref],
      [images.listed.armV7.digest as Digest, multi.ref],
      [images.listed.arm64.digest as Digest, multi.ref],
    ]),
  };
  return { init, amd64, multi };
}

async function sourceOf(image: ListImage): Promise<ImageSource> {
  return image.reference.newImageSource();
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('ListImage', () => {
  it('serves the stored list as the top-level manifest without opening any origin', async () => {
    const { init, amd64, multi } = twoOrigins();
    const image = new ListImage(init);
    const source = await sourceOf(image);
    expect(await source.getManifest()).toEqual(init.list);
    expect(await source.getSignatures?.()).toEqual([]);
    expect(amd64.opened + multi.opened).toBe(0);
    await image.close();
  });

  it('reads an instance added from a single image as that image, and one added from a list inside it', async () => {
    const { init } = twoOrigins();
    const image = new ListImage(init);
    const source = await sourceOf(image);
    expect(text((await source.getManifest(images.amd64.digest as Digest)).bytes)).toBe(text(images.amd64.bytes));
    expect(text((await source.getManifest(images.listed.armV7.digest as Digest)).bytes)).toBe(
      text(images.listed.armV7.bytes),
    );
    expect((await image.locate(images.amd64.digest as Digest)).originInstance).toBeUndefined();
    expect((await image.locate(images.listed.armV7.digest as Digest)).originInstance).toBe(images.listed.armV7.digest);
    await image.close();
  });

  it('opens each origin once and closes every opened origin', async () => {
    const { init, amd64, multi } = twoOrigins();
    const image = new ListImage(init);
    const source = await sourceOf(image);
    await Promise.all([
      source.getManifest(images.listed.armV7.digest as Digest),
      source.getManifest(images.listed.arm64.digest as Digest),
      source.getManifest(images.amd64.digest as Digest),
      source.getManifest(images.amd64.digest as Digest),
    ]);
    expect([amd64.opened, multi.opened]).toEqual([1, 1]);
    await source[Symbol.asyncDispose]();
    expect([amd64.closed, multi.closed]).toEqual([1, 1]);
  });

  it('serves the blobs of a located instance from its origin, and no other blob', async () => {
    const { init } = twoOrigins();
    const image = new ListImage(init);
    const source = await sourceOf(image);
    const manifest = parseManifest(images.listed.armV7.bytes);
    const config = configDescriptor(manifest as Parameters<typeof configDescriptor>[0]);
    if (config === undefined) throw new Error('the test image has a config');
    const info = { digest: config.digest, size: config.size, mediaType: config.mediaType };
    const before = await source.getBlob(info).catch((e: unknown) => e);
    expect(isImageError(before, 'ERR_BLOB_UNKNOWN')).toBe(true);
    await source.getManifest(images.listed.armV7.digest as Digest);
    const { stream } = await source.getBlob(info);
    expect(JSON.parse(text(await readLimited(stream, 1 << 20)))).toMatchObject({ architecture: 'arm', variant: 'v7' });
    await image.close();
  });

  it('refuses an instance without a recorded origin', async () => {
    const { init } = twoOrigins();
    const image = new ListImage({ ...init, origins: new Map() });
    const error = await (await sourceOf(image)).getManifest(images.amd64.digest as Digest).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_MANIFEST_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain(images.amd64.digest);
  });

  it('refuses an instance its single-image origin no longer is, naming both', async () => {
    const { init } = twoOrigins();
    const other = counted(images.arm64Dir, 'v1');
    const image = new ListImage({ ...init, origins: new Map([[images.amd64.digest as Digest, other.ref]]) });
    const error = await image.locate(images.amd64.digest as Digest).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_MANIFEST_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain(images.amd64.digest);
    expect((error as Error).message).toContain(`oci:${images.arm64Dir}:v1`);
    await image.close();
  });

  it('refuses an instance its list origin no longer holds', async () => {
    const { init } = twoOrigins();
    const multi = counted(images.multiDir, 'multi');
    const image = new ListImage({ ...init, origins: new Map([[images.amd64.digest as Digest, multi.ref]]) });
    const error = await image.locate(images.amd64.digest as Digest).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_MANIFEST_UNKNOWN')).toBe(true);
    expect((error as Error).message).toMatch(/no longer at/);
    await image.close();
  });

  it('is read-only and not named by a reference', async () => {
    const { init } = twoOrigins();
    const image = new ListImage(init);
    expect(image.reference.withinTransport).toBe('app');
    const error = await image.reference.newImageDestination().catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_NOT_IMPLEMENTED')).toBe(true);
    expect(() => image.reference.transport.parseReference('app')).toThrow(ImageError);
  });
});

describe('originPolicy', () => {
  function recording(reject?: string): { policy: PolicyContext; seen: { ref: string; instance?: Digest }[] } {
    const seen: { ref: string; instance?: Digest }[] = [];
    const policy: PolicyContext = {
      async checkImageAllowed({ source, instance }: UnverifiedImage) {
        const ref = `${source.reference.transport.name}:${source.reference.withinTransport}`;
        seen.push(instance === undefined ? { ref } : { ref, instance });
        if (ref === reject) throw new ImageError('ERR_POLICY_REJECTED', `${ref} is rejected`);
      },
    };
    return { policy, seen };
  }

  it('accepts the list itself and judges each instance as an image of its origin', async () => {
    const { init } = twoOrigins();
    const image = new ListImage(init);
    const source = await sourceOf(image);
    const { policy, seen } = recording();
    const judged = originPolicy(policy, image);
    await judged.checkImageAllowed({ source });
    expect(seen).toEqual([]);
    await judged.checkImageAllowed({ source, instance: images.amd64.digest as Digest });
    await judged.checkImageAllowed({ source, instance: images.listed.armV7.digest as Digest });
    expect(seen).toEqual([
      { ref: `oci:${images.amd64Dir}:v1` },
      { ref: `oci:${images.multiDir}:multi`, instance: images.listed.armV7.digest },
    ]);
    await image.close();
  });

  it("passes the policy's rejection on", async () => {
    const { init } = twoOrigins();
    const image = new ListImage(init);
    const source = await sourceOf(image);
    const { policy } = recording(`oci:${images.multiDir}:multi`);
    const judged = originPolicy(policy, image);
    await judged.checkImageAllowed({ source, instance: images.amd64.digest as Digest });
    const error = await judged
      .checkImageAllowed({ source, instance: images.listed.armV7.digest as Digest })
      .catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_POLICY_REJECTED')).toBe(true);
    await image.close();
  });
});
