import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestImage } from '@ferry/testkit';
import { digestHex } from '@ferry/types';

/** Writes an OCI image layout holding `image` under the reference name `name`, by hand. */
export async function writeOciLayout(dir: string, image: TestImage, name: string): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  for (const blob of [...image.blobs, image.manifest]) {
    await writeFile(join(dir, 'blobs', 'sha256', digestHex(blob.digest)), blob.bytes);
  }
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: image.manifest.mediaType,
        digest: image.manifest.digest,
        size: image.manifest.bytes.byteLength,
        annotations: { 'org.opencontainers.image.ref.name': name },
      },
    ],
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}
