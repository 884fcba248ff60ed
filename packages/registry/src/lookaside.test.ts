import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { digestBytes } from '@ferry/blob';
import { encodeSignature, isImageError, type Signature } from '@ferry/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lookasideSignatureUrl, readLookasideSignatures, writeLookasideSignatures } from './lookaside.ts';

const digest = digestBytes('manifest');
const hex = digest.slice('sha256:'.length);
const simple = (text: string): Signature & { kind: 'simple-signing' } => ({
  kind: 'simple-signing',
  bytes: new TextEncoder().encode(text),
});
const dirs: string[] = [];

async function tempBase(): Promise<URL> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-lookaside-'));
  dirs.push(dir);
  return new URL(`${pathToFileURL(dir).href}/ns/app`);
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('lookaside layout', () => {
  it('names signature N as BASE/REPO@ALGO=HEX/signature-N, from 1', () => {
    const url = lookasideSignatureUrl(new URL('https://sigs.example.com/base/library/busybox'), digest, 0);
    expect(url.href).toBe(`https://sigs.example.com/base/library/busybox@sha256=${hex}/signature-1`);
    expect(lookasideSignatureUrl(new URL('file:///s/a'), digest, 2).href).toBe(`file:///s/a@sha256=${hex}/signature-3`);
  });
});

describe('file:// lookaside', () => {
  it('writes signatures that read back in order, and nothing for another digest', async () => {
    const base = await tempBase();
    await writeLookasideSignatures(base, digest, [simple('one'), simple('two')]);
    const dir = `${decodeURIComponent(base.pathname)}@sha256=${hex}`;
    expect((await readdir(dir)).sort()).toEqual(['signature-1', 'signature-2']);
    expect(new TextDecoder().decode(await readFile(join(dir, 'signature-2')))).toBe('two');
    expect(await readLookasideSignatures(base, digest)).toEqual([simple('one'), simple('two')]);
    expect(await readLookasideSignatures(base, digestBytes('other'))).toEqual([]);
  });

  it('replaces what was there, removing higher-numbered leftovers', async () => {
    const base = await tempBase();
    await writeLookasideSignatures(base, digest, [simple('a'), simple('b'), simple('c')]);
    await writeLookasideSignatures(base, digest, [simple('new')]);
    expect(await readLookasideSignatures(base, digest)).toEqual([simple('new')]);
    const dir = `${decodeURIComponent(base.pathname)}@sha256=${hex}`;
    expect(await readdir(dir)).toEqual(['signature-1']);
  });

  it('stops at the first missing index and decodes sigstore records', async () => {
    const base = await tempBase();
    const dir = `${decodeURIComponent(base.pathname)}@sha256=${hex}`;
    await mkdir(dir, { recursive: true });
    const sigstore: Signature = {
      kind: 'sigstore',
      mediaType: 'm/x',
      payload: new Uint8Array([1, 2]),
      annotations: {},
    };
    await writeFile(join(dir, 'signature-1'), encodeSignature(sigstore));
    await writeFile(join(dir, 'signature-3'), 'unreachable');
    expect(await readLookasideSignatures(base, digest)).toEqual([sigstore]);
  });

  it('refuses a malformed signature file with ERR_SIGNATURE_INVALID', async () => {
    const base = await tempBase();
    const dir = `${decodeURIComponent(base.pathname)}@sha256=${hex}`;
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'signature-1'), new Uint8Array([0, 0x62, 0x61, 0x64]));
    await expect(readLookasideSignatures(base, digest)).rejects.toSatisfy((e: unknown) =>
      isImageError(e, 'ERR_SIGNATURE_INVALID'),
    );
  });

  it('refuses writing to an http(s) lookaside with ERR_NOT_IMPLEMENTED naming lookaside-staging', async () => {
    const error = await writeLookasideSignatures(new URL('https://sigs.example.com/a'), digest, [simple('x')]).catch(
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_NOT_IMPLEMENTED')).toBe(true);
    expect((error as Error).message).toContain('lookaside-staging');
  });
});

describe('http:// lookaside', () => {
  let server: Server;
  let origin = '';
  const files = new Map<string, { status: number; body: Uint8Array }>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const found = files.get(req.url ?? '');
      res.statusCode = found?.status ?? 404;
      res.end(found?.body ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads signatures until a 404', async () => {
    files.clear();
    files.set(`/sigs/ns/app@sha256=${hex}/signature-1`, { status: 200, body: simple('first').bytes });
    files.set(`/sigs/ns/app@sha256=${hex}/signature-2`, { status: 200, body: simple('second').bytes });
    const got = await readLookasideSignatures(new URL(`${origin}/sigs/ns/app`), digest);
    expect(got).toEqual([simple('first'), simple('second')]);
  });

  it('fails on another status instead of taking it as the end', async () => {
    files.clear();
    files.set(`/sigs/ns/app@sha256=${hex}/signature-1`, { status: 200, body: simple('first').bytes });
    files.set(`/sigs/ns/app@sha256=${hex}/signature-2`, { status: 500, body: new Uint8Array() });
    const error = await readLookasideSignatures(new URL(`${origin}/sigs/ns/app`), digest).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_IO')).toBe(true);
    expect((error as Error).message).toContain('status 500');
  });

  it('bounds a signature to 4 MiB', async () => {
    files.clear();
    files.set(`/big@sha256=${hex}/signature-1`, { status: 200, body: new Uint8Array(4 * 1024 * 1024 + 1).fill(1) });
    await expect(readLookasideSignatures(new URL(`${origin}/big`), digest)).rejects.toSatisfy((e: unknown) =>
      isImageError(e, 'ERR_TOO_LARGE'),
    );
  });

  it('surfaces an abort as the signal reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(readLookasideSignatures(new URL(`${origin}/x`), digest, { signal: controller.signal })).rejects.toBe(
      reason,
    );
  });
});
