import { join } from 'node:path';
import { skopeo, type TestDescriptor, TestLayout } from './image-layout.ts';
import { tempDir } from './store-fixtures.ts';

/** A manifest written to a test layout: its descriptor and bytes. */
export type TestImage = TestDescriptor & { readonly bytes: Uint8Array };

/** Single-platform images in separate places, and a three-platform list, for the add and push tests. */
export interface OriginImages {
  /** An OCI layout whose `v1` is a linux/amd64 image ({@link OriginImages.amd64}). */
  readonly amd64Dir: string;
  readonly amd64: TestImage;
  /** An OCI layout whose `v1` is a linux/arm64/v8 image ({@link OriginImages.arm64}). */
  readonly arm64Dir: string;
  readonly arm64: TestImage;
  /** A `dir:` copy of the arm64 image (same manifest digest). */
  readonly arm64DirImage: string;
  /** An OCI layout whose `multi` is an index of amd64, arm64/v8 and arm/v7 ({@link OriginImages.listed}). */
  readonly multiDir: string;
  readonly multi: TestImage;
  readonly listed: { readonly amd64: TestImage; readonly arm64: TestImage; readonly armV7: TestImage };
}

/** Writes {@link OriginImages} under a fresh temp directory (removed after the test file). */
export async function originImages(): Promise<OriginImages> {
  const root = await tempDir();
  const a = await TestLayout.create(join(root, 'amd64'));
  const amd64 = await a.image({ os: 'linux', architecture: 'amd64' }, 'amd64');
  a.tag(amd64, 'v1');
  await a.commit();
  const b = await TestLayout.create(join(root, 'arm64'));
  const arm64 = await b.image({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'arm64');
  b.tag(arm64, 'v1');
  await b.commit();
  const arm64DirImage = join(root, 'arm64-dir');
  await skopeo('copy', '-q', `oci:${b.dir}:v1`, `dir:${arm64DirImage}`);
  const m = await TestLayout.create(join(root, 'multi'));
  const listed = {
    amd64: await m.image({ os: 'linux', architecture: 'amd64' }, 'listed-amd64'),
    arm64: await m.image({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'listed-arm64'),
    armV7: await m.image({ os: 'linux', architecture: 'arm', variant: 'v7' }, 'listed-arm'),
  };
  const multi = await m.index([
    { ...plain(listed.amd64), platform: { architecture: 'amd64', os: 'linux' } },
    { ...plain(listed.arm64), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
    { ...plain(listed.armV7), platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
  ]);
  m.tag(multi, 'multi');
  await m.commit();
  return { amd64Dir: a.dir, amd64, arm64Dir: b.dir, arm64, arm64DirImage, multiDir: m.dir, multi, listed };
}

/** The descriptor fields alone (no bytes). */
export function plain(d: TestDescriptor): TestDescriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}
