import { indexTarFile } from '@ferry/tar';
import { collectBytes, digestOf, streamOf, type TestImage } from '@ferry/testkit';
import type { ImageDestination, ImageReference, ImageSource } from '@ferry/types';
import { expect } from 'vitest';

/** Puts an image's blobs (as given, chunked) and manifest into a destination. */
export async function putAll(dest: ImageDestination, image: TestImage, concurrent = false): Promise<void> {
  const put = (b: TestImage['blobs'][number]) =>
    dest.putBlob(streamOf(b.bytes, 100), { digest: b.digest, size: b.size }, { isConfig: b === image.config });
  if (concurrent) await Promise.all(image.blobs.map(put));
  else for (const b of image.blobs) await put(b);
  await dest.putManifest(image.manifest);
}

/** Writes one image through a new destination of `ref` and commits it. */
export async function writeImage(ref: ImageReference, image: TestImage): Promise<void> {
  await using dest = await ref.newImageDestination();
  await putAll(dest, image);
  await dest.commit();
}

/** Asserts that a source serves `image`: identical manifest bytes, every blob identical. */
export async function expectSourceServes(source: ImageSource, image: TestImage): Promise<void> {
  const manifest = await source.getManifest();
  expect(new TextDecoder().decode(manifest.bytes)).toBe(new TextDecoder().decode(image.manifest.bytes));
  expect(manifest.mediaType).toBe(image.manifest.mediaType);
  for (const blob of image.blobs) {
    const got = await source.getBlob({ digest: blob.digest });
    expect(got.size).toBe(blob.size);
    expect(digestOf(await collectBytes(got.stream))).toBe(blob.digest);
  }
}

/** The names of an archive's members, in order. */
export async function memberNames(path: string): Promise<string[]> {
  await using archive = await indexTarFile(path);
  return archive.entries.map((e) => e.name);
}

/** Reads a member of an archive as text. */
export async function memberText(path: string, name: string): Promise<string> {
  await using archive = await indexTarFile(path);
  return new TextDecoder().decode(await archive.readMember(name, 1 << 20));
}
