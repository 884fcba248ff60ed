import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOciManifest } from '@ferry/manifest';
import { makeTestImage, putImage, writeTestImage } from '@ferry/testkit';
import { decodeSignature, isImageError, type Signature, type SigstoreSignature } from '@ferry/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerTransport } from './index.ts';
import { sigstoreAttachmentTag } from './sigstore-attachments.ts';
import { runTool } from './test-support/run-tool.ts';
import { freshRepository, sharedRegistry } from './test-support/test-registry.ts';

const registry = sharedRegistry('http');
let root = '';
let lookaside = '';
let registriesDir = '';
let plainDir = '';

beforeAll(async () => {
  const { host } = await registry();
  root = await mkdtemp(join(tmpdir(), 'ferry-signature-storage-'));
  lookaside = join(root, 'lookaside');
  registriesDir = join(root, 'registries.d');
  plainDir = join(root, 'plain.d');
  await runTool('mkdir', ['-p', registriesDir, plainDir]);
  await writeFile(join(registriesDir, 'default.yaml'), `default-docker:\n  lookaside: file://${lookaside}\n`);
  await writeFile(join(registriesDir, 'registry.yaml'), `docker:\n  ${host}:\n    use-sigstore-attachments: true\n`);
  await writeFile(join(plainDir, 'default.yaml'), `default-docker:\n  lookaside: file://${lookaside}\n`);
});
afterAll(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

const sigstore = (n: number): SigstoreSignature => ({
  kind: 'sigstore',
  mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
  payload: new TextEncoder().encode(`{"critical":{"identity":{"docker-reference":"x"}},"optional":{"n":${n}}}`),
  annotations: { 'dev.cosignproject.cosign/signature': `MEUCIQ${n}`, 'ferry.test/n': String(n) },
});
const simple = (text: string): Signature => ({ kind: 'simple-signing', bytes: new TextEncoder().encode(text) });

async function reference(dir = registriesDir) {
  const { host } = await registry();
  const repo = freshRepository('ferry-sig');
  const transport = dockerTransport({ registry: { tlsVerify: false, registriesDir: dir } });
  return { host, repo, ref: transport.parseReference(`//${host}/${repo}:v1`) };
}

async function signaturesOf(ref: Awaited<ReturnType<typeof reference>>['ref']): Promise<readonly Signature[]> {
  const source = await ref.newImageSource();
  try {
    return (await source.getSignatures?.()) ?? [];
  } finally {
    await source[Symbol.asyncDispose]();
  }
}

describe('docker:// signature storage (distribution 2.8)', () => {
  it('declares what registries.d allows, and refuses the rest naming the reference and the setting', async () => {
    const withAttachments = await reference();
    const dest = await withAttachments.ref.newImageDestination();
    expect(dest.traits.supportedSignatureKinds).toEqual(['simple-signing', 'sigstore']);
    await dest[Symbol.asyncDispose]();

    const plain = await reference(plainDir);
    const image = makeTestImage({ salt: 'plain' });
    const plainDest = await plain.ref.newImageDestination();
    try {
      expect(plainDest.traits.supportedSignatureKinds).toEqual(['simple-signing']);
      await putImage(plainDest, image, undefined);
      const error = await plainDest.putSignatures?.([sigstore(1)]).catch((e: unknown) => e);
      expect(isImageError(error, 'ERR_NOT_IMPLEMENTED')).toBe(true);
      expect((error as Error).message).toContain(`${plain.host}/${plain.repo}:v1`);
      expect((error as Error).message).toContain('use-sigstore-attachments');
    } finally {
      await plainDest[Symbol.asyncDispose]();
    }
  });

  it('writes simple-signing signatures to the file:// lookaside and reads them back through a new source', async () => {
    const { repo, ref } = await reference();
    const image = makeTestImage({ salt: 'lookaside' });
    await writeTestImage(ref, image, { signatures: [simple('first'), simple('second')] });
    const hex = image.manifest.digest.slice('sha256:'.length);
    const file = join(lookaside, `${repo}@sha256=${hex}`, 'signature-2');
    expect(new TextDecoder().decode(await readFile(file))).toBe('second');
    expect(await signaturesOf(ref)).toEqual([simple('first'), simple('second')]);
  });

  it('adds sigstore attachments across putSignatures calls without duplicates, and reads them back', async () => {
    const { host, repo, ref } = await reference();
    const image = makeTestImage({ salt: 'sigstore' });
    const dest = await ref.newImageDestination();
    try {
      await putImage(dest, image, undefined);
      await dest.putSignatures?.([sigstore(1)]);
      await dest.putSignatures?.([sigstore(2), sigstore(1)]);
      await dest.commit();
    } finally {
      await dest[Symbol.asyncDispose]();
    }
    expect(await signaturesOf(ref)).toEqual([sigstore(1), sigstore(2)]);

    // the independent judge: skopeo sees the attachment manifest with a layer per signature
    const tag = sigstoreAttachmentTag(image.manifest.digest);
    const raw = await runTool('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/${repo}:${tag}`]);
    expect(raw.code, raw.stderr).toBe(0);
    const manifest = parseOciManifest(new TextEncoder().encode(raw.stdout));
    expect(manifest.layers.map((l) => l.annotations?.['ferry.test/n'])).toEqual(['1', '2']);
    expect(manifest.layers[0]?.mediaType).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
    expect(manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');

    // skopeo reads the attachments as sigstore signatures and copies them to dir: as we stored them
    const out = join(root, `dir-${repo.replaceAll('/', '-')}`);
    const copied = await runTool('skopeo', [
      'copy',
      '--src-tls-verify=false',
      '--registries.d',
      registriesDir,
      `docker://${host}/${repo}:v1`,
      `dir:${out}`,
    ]);
    expect(copied.code, copied.stderr).toBe(0);
    expect(decodeSignature(await readFile(join(out, 'signature-1')))).toEqual(sigstore(1));
    expect(decodeSignature(await readFile(join(out, 'signature-2')))).toEqual(sigstore(2));
  }, 60_000);

  it('stores signatures of a list instance under that instance digest', async () => {
    const { ref } = await reference();
    const image = makeTestImage({ salt: 'instance' });
    const dest = await ref.newImageDestination();
    try {
      await putImage(dest, image, image.manifest.digest);
      await dest.putSignatures?.([sigstore(7), simple('inst')], { instance: image.manifest.digest });
    } finally {
      await dest[Symbol.asyncDispose]();
    }
    const source = await ref.newImageSource();
    try {
      expect(await source.getSignatures?.(image.manifest.digest)).toEqual([simple('inst'), sigstore(7)]);
    } finally {
      await source[Symbol.asyncDispose]();
    }
  });

  it('reads the signature skopeo --sign-by wrote to the lookaside, byte for byte', async () => {
    const { host, repo, ref } = await reference();
    await writeTestImage(ref, makeTestImage({ salt: 'skopeo-src' }));
    const gnupg = join(root, 'gnupg');
    const env = { ...process.env, GNUPGHOME: gnupg };
    await runTool('mkdir', ['-m', '700', '-p', gnupg]);
    const gen = await runWithEnv(env, 'gpg', [
      '--batch',
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      '',
      '--quick-gen-key',
      'Ferry Test <ferry@example.com>',
      'ed25519',
      'sign',
      'never',
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    const listed = await runWithEnv(env, 'gpg', ['--batch', '--with-colons', '--list-secret-keys']);
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listed.stdout)?.[1];
    expect(fingerprint).toBeDefined();
    const signedRepo = `${repo}-signed`;
    const copy = await runWithEnv(env, 'skopeo', [
      '--insecure-policy',
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      '--registries.d',
      registriesDir,
      '--sign-by',
      fingerprint ?? '',
      `docker://${host}/${repo}:v1`,
      `docker://${host}/${signedRepo}:v1`,
    ]);
    expect(copy.code, copy.stderr).toBe(0);
    const transport = dockerTransport({ registry: { tlsVerify: false, registriesDir } });
    const signed = transport.parseReference(`//${host}/${signedRepo}:v1`);
    const source = await signed.newImageSource();
    try {
      const { bytes } = await source.getManifest();
      const { digestBytes } = await import('@ferry/blob');
      const hex = digestBytes(bytes).slice('sha256:'.length);
      const written = await readFile(join(lookaside, `${signedRepo}@sha256=${hex}`, 'signature-1'));
      const got = await source.getSignatures?.();
      expect(got).toEqual([{ kind: 'simple-signing', bytes: new Uint8Array(written) }]);
    } finally {
      await source[Symbol.asyncDispose]();
    }
  }, 60_000);

  // skopeo writing sigstore attachments is judged in packages/ferry/src/interop/signatures-registry.test.ts,
  // where @ferry/signature can make the cosign key skopeo needs
});

async function runWithEnv(env: NodeJS.ProcessEnv, tool: string, args: readonly string[]) {
  const { execFile } = await import('node:child_process');
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(tool, [...args], { env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}
