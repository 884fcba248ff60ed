import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeTestImage, makeTestImageList, streamOf, writeTestImage, writeTestImageList } from '@ferry/testkit';
import { isImageError } from '@ferry/types';
import { asInternalDestination } from '@ferry/types/internal';
import { describe, expect, it } from 'vitest';
import { ociTransport, openLayout, REF_NAME_ANNOTATION } from './index.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = ociTransport();

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isImageError(error) ? error.code : `not an ImageError: ${String(error)}`;
}

function names(index: { manifests: readonly { annotations?: Readonly<Record<string, string>> }[] }): unknown[] {
  return index.manifests.map((e) => e.annotations?.[REF_NAME_ANNOTATION]);
}

describe('oci: references', () => {
  it('parses PATH, PATH:NAME and PATH:@N and round-trips withinTransport', () => {
    for (const [text, within, name, index] of [
      ['/l', '/l:', undefined, undefined],
      ['/l:', '/l:', undefined, undefined],
      ['/l:v1.0', '/l:v1.0', 'v1.0', undefined],
      ['/l:example.com/app:v1', '/l:example.com/app:v1', 'example.com/app:v1', undefined],
      ['/l:@3', '/l:@3', undefined, 3],
    ] as const) {
      const ref = transport.parseReference(text) as ReturnType<typeof transport.parseReference> & {
        name?: string;
        sourceIndex?: number;
      };
      expect([ref.withinTransport, ref.name, ref.sourceIndex]).toEqual([within, name, index]);
      const again = transport.parseReference(ref.withinTransport);
      expect([again.withinTransport, again.policyIdentity, again.policyNamespaces]).toEqual([
        ref.withinTransport,
        ref.policyIdentity,
        ref.policyNamespaces,
      ]);
    }
  });

  it('refuses malformed references', () => {
    for (const text of ['', ':tag', '/l:@-1', '/l:@x', '/l:bad name', '/l:-lead', '/l:a//b']) {
      expect(() => transport.parseReference(text), text).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_REFERENCE' }),
      );
    }
  });

  it('uses the absolute path as policy identity and its parents as namespaces', () => {
    const ref = transport.parseReference('/srv/images/app:v1');
    expect(ref.policyIdentity).toBe('/srv/images/app');
    expect(ref.policyNamespaces).toEqual(['/srv/images/app', '/srv/images', '/srv']);
    expect(transport.parseReference('rel/dir').policyIdentity).toBe(resolve('rel/dir'));
    transport.validatePolicyScope?.('/srv/images');
    for (const bad of ['srv', '/', '/srv/', '/srv/../x']) {
      expect(() => transport.validatePolicyScope?.(bad), bad).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    }
  });
});

describe('oci: source and destination', () => {
  it('resolves by name, by position and the only image; fails on ambiguity and unknown names', async () => {
    const dir = join(await tempDir(), 'l');
    const a = makeTestImage({ salt: 'a' });
    const b = makeTestImage({ salt: 'b' });
    await writeTestImage(transport.parseReference(dir), a);
    const only = await transport.parseReference(dir).newImageSource();
    expect((await only.getManifest()).bytes).toEqual(a.manifest.bytes);
    await only[Symbol.asyncDispose]();
    await writeTestImage(transport.parseReference(`${dir}:b`), b);
    expect(await codeOf(transport.parseReference(dir).newImageSource())).toBe('ERR_MANIFEST_UNKNOWN');
    expect(await codeOf(transport.parseReference(`${dir}:nope`).newImageSource())).toBe('ERR_MANIFEST_UNKNOWN');
    expect(await codeOf(transport.parseReference(`${dir}:@2`).newImageSource())).toBe('ERR_MANIFEST_UNKNOWN');
    for (const [text, image] of [
      [`${dir}:b`, b],
      [`${dir}:@0`, a],
      [`${dir}:@1`, b],
    ] as const) {
      await using source = await transport.parseReference(text).newImageSource();
      expect((await source.getManifest()).bytes).toEqual(image.manifest.bytes);
    }
    expect(await codeOf(transport.parseReference(`${dir}:@0`).newImageDestination())).toBe('ERR_INVALID_REFERENCE');
  });

  it('replaces only the entry of the same name and keeps the others', async () => {
    const dir = join(await tempDir(), 'l');
    const [a, b, c] = [makeTestImage({ salt: 'a' }), makeTestImage({ salt: 'b' }), makeTestImage({ salt: 'c' })];
    await writeTestImage(transport.parseReference(`${dir}:one`), a);
    await writeTestImage(transport.parseReference(`${dir}:two`), b);
    await writeTestImage(transport.parseReference(`${dir}:one`), c);
    await using layout = await openLayout(dir);
    const index = await layout.readIndex();
    expect(names(index)).toEqual(['one', 'two']);
    expect(index.manifests.map((e) => e.digest)).toEqual([c.manifest.digest, b.manifest.digest]);
    expect(index.manifests[0]).toEqual({
      mediaType: c.manifest.mediaType,
      digest: c.manifest.digest,
      size: c.manifest.bytes.byteLength,
      annotations: { [REF_NAME_ANNOTATION]: 'one' },
    });
  });

  it('round-trips a multi-arch index with its instances', async () => {
    const dir = join(await tempDir(), 'l');
    const list = makeTestImageList();
    await writeTestImageList(transport.parseReference(`${dir}:multi`), list);
    await using source = await transport.parseReference(`${dir}:multi`).newImageSource();
    const top = await source.getManifest();
    expect([top.bytes, top.mediaType]).toEqual([list.manifest.bytes, list.manifest.mediaType]);
    for (const image of list.images) {
      const m = await source.getManifest(image.manifest.digest);
      expect([m.bytes, m.mediaType]).toEqual([image.manifest.bytes, image.manifest.mediaType]);
    }
  });

  it('refuses signatures and schema 1 manifests, accepts Docker schema 2', async () => {
    const dir = join(await tempDir(), 'l');
    await using dest = asInternalDestination(await transport.parseReference(`${dir}:x`).newImageDestination());
    await dest.putSignatures([]);
    const sig = { kind: 'simple-signing', payload: new Uint8Array([1]) } as never;
    expect(await codeOf(dest.putSignatures([sig]))).toBe('ERR_NOT_IMPLEMENTED');
    const v1 = {
      bytes: new Uint8Array([123, 125]),
      mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
    };
    expect(await codeOf(dest.putManifest(v1))).toBe('ERR_MANIFEST_TYPE_REJECTED');
    const v2 = new TextEncoder().encode('{"schemaVersion":2}');
    await dest.putManifest({ bytes: v2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
    await dest.commit();
    expect(dest.committedManifestDigest).toMatch(/^sha256:/);
    await using layout = await openLayout(dir);
    expect((await layout.getReference('x')).mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
  });

  it('disposing without commit leaves index.json and the blob set as they were', async () => {
    const dir = join(await tempDir(), 'l');
    const a = makeTestImage({ salt: 'a' });
    await writeTestImage(transport.parseReference(`${dir}:a`), a);
    const indexBefore = await readFile(join(dir, 'index.json'));
    await using layout = await openLayout(dir);
    const blobsBefore = await layout.listBlobs();
    const b = makeTestImage({ salt: 'b' });
    await writeTestImage(transport.parseReference(`${dir}:a`), b, { commit: false });
    expect(await readFile(join(dir, 'index.json'))).toEqual(indexBefore);
    expect(await layout.listBlobs()).toEqual(blobsBefore);
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('reuses blobs already present and deleteImage removes only what nothing else needs', async () => {
    const dir = join(await tempDir(), 'l');
    const a = makeTestImage({ salt: 'a' });
    const list = makeTestImageList();
    await writeTestImage(transport.parseReference(`${dir}:a`), a);
    await writeTestImage(transport.parseReference(`${dir}:copy`), a);
    await writeTestImageList(transport.parseReference(`${dir}:multi`), list);
    {
      await using dest = asInternalDestination(await transport.parseReference(`${dir}:b`).newImageDestination());
      const layer = a.layers[0];
      if (layer === undefined) throw new Error('no layer');
      expect(await dest.tryReusingBlob(layer)).toEqual({ digest: layer.digest, size: layer.size });
      expect(await dest.tryReusingBlob({ digest: list.manifest.digest.replace(/.$/, '0') as never })).toBeUndefined();
      await dest.putBlob(streamOf(layer.bytes), { digest: layer.digest });
    }
    await using layout = await openLayout(dir);
    const all = new Set(await layout.listBlobs());
    await transport.parseReference(`${dir}:copy`).deleteImage?.();
    expect(new Set(await layout.listBlobs())).toEqual(all);
    await transport.parseReference(`${dir}:multi`).deleteImage?.();
    expect(names(await layout.readIndex())).toEqual(['a']);
    expect(new Set(await layout.listBlobs())).toEqual(new Set([a.manifest.digest, ...a.blobs.map((b) => b.digest)]));
    expect(await codeOf(transport.parseReference(`${dir}:multi`).deleteImage?.() ?? Promise.resolve())).toBe(
      'ERR_MANIFEST_UNKNOWN',
    );
  });
});
