import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestBytes, verifyStream } from '@ferry/blob';
import { OCI_MANIFEST_MEDIA_TYPE } from '@ferry/manifest';
import { isImageError } from '@ferry/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLayout, REF_NAME_ANNOTATION } from './index.ts';
import { currentProcess } from './process-identity.ts';

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const c of stream) out += Buffer.from(c).toString();
  return out;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isImageError(error), `expected ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  return error as Error;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-layout-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openLayout', () => {
  it('creates a valid layout and reopens it', async () => {
    const root = join(dir, 'new');
    await (await openLayout(root, { create: true }))[Symbol.asyncDispose]();
    expect(JSON.parse(await readFile(join(root, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(JSON.parse(await readFile(join(root, 'index.json'), 'utf8'))).toMatchObject({
      schemaVersion: 2,
      manifests: [],
    });
    await using layout = await openLayout(root);
    expect(await layout.listReferences()).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it('refuses a directory without oci-layout, a wrong version and a broken index.json', async () => {
    const root = join(dir, 'l');
    await (await openLayout(root, { create: true }))[Symbol.asyncDispose]();
    await writeFile(join(root, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    expect((await rejectsWith(openLayout(root), 'ERR_INVALID_IMAGE')).message).toContain('2.0.0');
    await rm(join(root, 'oci-layout'));
    expect((await rejectsWith(openLayout(root), 'ERR_INVALID_IMAGE')).message).toContain('oci-layout');
    await writeFile(join(root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(join(root, 'index.json'), '{"schemaVersion":2,"manifests":[{"digest":"nope"}]}');
    expect((await rejectsWith(openLayout(root), 'ERR_INVALID_IMAGE')).message).toContain('manifests[0]');
    await writeFile(join(root, 'index.json'), '{"schemaVersion":2,');
    await rejectsWith(openLayout(root), 'ERR_INVALID_IMAGE');
    await rm(join(root, 'index.json'));
    expect((await rejectsWith(openLayout(root), 'ERR_INVALID_IMAGE')).message).toContain('index.json');
  });
});

describe('blobs', () => {
  it('puts, gets, lists, ranges and deletes blobs idempotently', async () => {
    await using layout = await openLayout(join(dir, 'l'), { create: true });
    const digest = digestBytes('hello world');
    const first = await layout.putBlob(chunks('hello ', 'world'), { digest, size: 11 });
    expect(first).toEqual({ digest, size: 11, created: true });
    expect(await layout.putBlob(chunks('hello world'))).toEqual({ digest, size: 11, created: false });
    expect(await layout.blobExists(digest)).toBe(true);
    expect(await layout.listBlobs()).toEqual([digest]);
    const { stream, size } = await layout.getBlob(digest);
    expect([size, await collect(stream)]).toEqual([11, 'hello world']);
    expect(await collect((await layout.getBlob(digest, { offset: 6, length: 3 })).stream)).toBe('wor');
    await layout.deleteBlob(digest);
    await layout.deleteBlob(digest);
    await rejectsWith(layout.getBlob(digest), 'ERR_BLOB_UNKNOWN');
  });

  it('publishes nothing on a digest or size mismatch and leaves no temp file', async () => {
    const root = join(dir, 'l');
    await using layout = await openLayout(root, { create: true });
    await rejectsWith(layout.putBlob(chunks('abc'), { digest: digestBytes('abd') }), 'ERR_DIGEST_MISMATCH');
    await rejectsWith(layout.putBlob(chunks('abc'), { size: 2 }), 'ERR_SIZE_MISMATCH');
    expect(await layout.listBlobs()).toEqual([]);
    const work = (await readdir(root)).filter((n) => n.startsWith('.ferry-work-'));
    expect(work).toHaveLength(1);
    expect(await readdir(join(root, work[0] as string))).toEqual([]);
    await layout[Symbol.asyncDispose]();
    expect((await readdir(root)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it("with verifiedByCaller, trusts the digest, publishes nothing when the caller's stream throws, and checks the size", async () => {
    const root = join(dir, 'l');
    await using layout = await openLayout(root, { create: true });
    const digest = digestBytes('abc');
    // the caller's verifying stream fails at its end: nothing may be published
    const bad = verifyStream(chunks('abd'), { digest });
    await rejectsWith(layout.putBlob(bad, { digest, verifiedByCaller: true }), 'ERR_DIGEST_MISMATCH');
    expect(await layout.listBlobs()).toEqual([]);
    await rejectsWith(layout.putBlob(chunks('abc'), { digest, size: 4, verifiedByCaller: true }), 'ERR_SIZE_MISMATCH');
    expect(await layout.listBlobs()).toEqual([]);
    const good = verifyStream(chunks('a', 'bc'), { digest, size: 3 });
    expect(await layout.putBlob(good, { digest, size: 3, verifiedByCaller: true })).toEqual({
      digest,
      size: 3,
      created: true,
    });
  });

  it('a truncated blob file fails verification when read', async () => {
    await using layout = await openLayout(join(dir, 'l'), { create: true });
    const { digest } = await layout.putBlob(chunks('0123456789'));
    await truncate(layout.blobPath(digest), 4);
    const { stream } = await layout.getBlob(digest);
    await rejectsWith(collect(verifyStream(stream, { digest, size: 10 })), 'ERR_SIZE_MISMATCH');
  });
});

describe('references', () => {
  it('puts, gets, lists and deletes references with umoci clobber rules', async () => {
    await using layout = await openLayout(join(dir, 'l'), { create: true });
    const a = { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: digestBytes('a'), size: 1 };
    const b = { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: digestBytes('b'), size: 1 };
    await layout.putReference('v1', a);
    await layout.putReference('v1', a);
    await layout.putReference('v2', b);
    await rejectsWith(layout.putReference('v1', b), 'ERR_CLOBBER');
    expect((await layout.getReference('v1')).digest).toBe(a.digest);
    await layout.putReference('v1', b, { replace: true });
    const index = await layout.readIndex();
    expect(index.manifests.map((e) => [e.annotations?.[REF_NAME_ANNOTATION], e.digest])).toEqual([
      ['v1', b.digest],
      ['v2', b.digest],
    ]);
    expect(await layout.listReferences()).toEqual(['v1', 'v2']);
    await layout.deleteReference('v1');
    await layout.deleteReference('v1');
    await rejectsWith(layout.getReference('v1'), 'ERR_MANIFEST_UNKNOWN');
    expect(await layout.listReferences()).toEqual(['v2']);
  });

  it('keeps unknown index fields when rewriting index.json', async () => {
    const root = join(dir, 'l');
    await (await openLayout(root, { create: true }))[Symbol.asyncDispose]();
    const entry = {
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      digest: digestBytes('x'),
      size: 1,
      platform: { os: 'linux', architecture: 'arm64' },
    };
    await writeFile(
      join(root, 'index.json'),
      JSON.stringify({ schemaVersion: 2, annotations: { k: 'v' }, manifests: [entry] }),
    );
    await using layout = await openLayout(root);
    await layout.putReference('t', { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: digestBytes('y'), size: 1 });
    const written = JSON.parse(await readFile(join(root, 'index.json'), 'utf8'));
    expect(written.annotations).toEqual({ k: 'v' });
    expect(written.manifests[0]).toEqual(entry);
    expect(written.manifests).toHaveLength(2);
  });
});

describe('index lock', () => {
  it('fails with ERR_IO naming the lock when a live holder keeps it', async () => {
    const root = join(dir, 'l');
    await using layout = await openLayout(root, { create: true, lockTimeoutMs: 150 });
    const me = { pid: process.pid, host: currentProcess().host, started: currentProcess().started, token: 't' };
    await writeFile(join(root, 'index.json.lock'), JSON.stringify(me));
    const error = await rejectsWith(
      layout.putReference('x', { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: digestBytes('x'), size: 1 }),
      'ERR_IO',
    );
    expect(error.message).toContain('index.json.lock');
    await rm(join(root, 'index.json.lock'));
    const dead = { ...me, started: me.started - 3_600_000 };
    await writeFile(join(root, 'index.json.lock'), JSON.stringify(dead));
    await layout.putReference('x', { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: digestBytes('x'), size: 1 });
    expect(await layout.listReferences()).toEqual(['x']);
  });

  it('keeps every tag when many handles write at once', async () => {
    const root = join(dir, 'l');
    await (await openLayout(root, { create: true }))[Symbol.asyncDispose]();
    const tags = Array.from({ length: 20 }, (_, i) => `t${i}`);
    await Promise.all(
      tags.map(async (tag) => {
        await using layout = await openLayout(root);
        await layout.putReference(tag, { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: digestBytes(tag), size: 1 });
      }),
    );
    await using layout = await openLayout(root);
    expect((await layout.listReferences()).sort()).toEqual([...tags].sort());
  });

  it('the lock holder removes what dead writers left: work areas, lock and index temps', async () => {
    const root = join(dir, 'l');
    await using layout = await openLayout(root, { create: true });
    const { host } = currentProcess();
    // pid 2^22+1 is above Linux's pid_max, so no process has it
    const deadPid = 4194305;
    await mkdir(join(root, `.ferry-work-${host}-${deadPid}-0-0-abcd`));
    await writeFile(join(root, `.ferry-work-${host}-${deadPid}-0-0-abcd`, 'blob-1.tmp'), 'partial');
    await writeFile(join(root, `.ferry-tmp-${deadPid}-lock-x.tmp`), '{}');
    await writeFile(join(root, '.index.json.0123.tmp'), '{"schemaVersion":2,');
    await layout.putReference('t', { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: digestBytes('t'), size: 1 });
    expect((await readdir(root)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });
});
