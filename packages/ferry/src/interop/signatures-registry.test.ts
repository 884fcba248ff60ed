import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry } from '@ferry/registry-server';
import { encryptCosignPrivateKey } from '@ferry/signature';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, runFerry } from '../cli/test-support/run-ferry.ts';
import { type GpgHome, gpgHome, registriesDir, writePolicy } from './test-support/gpg-home.ts';
import { buildTestImages, type TestImages } from './test-support/test-images.ts';

// Signatures through the real registry: simple signing in a file:// lookaside and sigstore attachments,
// written by one of skopeo and Ferry and judged by the other's policy.

let work: string;
let images: TestImages;
let registry: RunningRegistry;
let gpg: GpgHome;
let trusted: string;
let other: string;
let registries: string;
let cosignKey: string;
let cosignPub: string;
let otherPub: string;
const PASS = 'cosign passphrase';
let passFile: string;
const NO_TLS = ['--src-tls-verify=false', '--dest-tls-verify=false'];

function dockerPolicy(host: string, requirement: unknown): unknown {
  return {
    default: [{ type: 'insecureAcceptAnything' }],
    transports: { docker: { [host]: [requirement] } },
  };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ferry-signatures-registry-'));
  images = buildTestImages(join(work, 'images'));
  registry = await startRegistry({ mode: 'http' });
  gpg = gpgHome(join(work, 'gnupg'));
  trusted = gpg.newKey('Trusted');
  other = gpg.newKey('Other');
  gpg.exportPublic(trusted, join(work, 'trusted.gpg'));
  gpg.exportPublic(other, join(work, 'other.gpg'));
  registries = registriesDir(
    join(work, 'registries.d'),
    `default-docker:\n  lookaside: file://${join(work, 'lookaside')}\n  use-sigstore-attachments: true\n`,
  );
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  cosignKey = join(work, 'cosign.key');
  writeFileSync(cosignKey, encryptCosignPrivateKey(pair.privateKey, PASS));
  cosignPub = join(work, 'cosign.pub');
  writeFileSync(cosignPub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  otherPub = join(work, 'other.pub');
  writeFileSync(
    otherPub,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
  );
  passFile = join(work, 'passphrase');
  writeFileSync(passFile, `${PASS}\n`);
}, 90_000);

afterAll(async () => {
  gpg?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

const ferry = (args: readonly string[]) => runFerry(['--registries.d', registries, ...args], { env: gpg.env });
const skopeo = (args: readonly string[]) =>
  judge('skopeo', ['--registries.d', registries, ...args], undefined, gpg.env);

describe('simple signing in a lookaside', () => {
  it('skopeo signs a push, ferry pulls it under signedBy and refuses it under another key', async () => {
    const ref = `docker://${registry.host}/lookaside/by-skopeo:v1`;
    skopeo([
      '--insecure-policy',
      'copy',
      '-q',
      '--dest-tls-verify=false',
      '--sign-by',
      trusted,
      `oci:${images.layout}:zstd`,
      ref,
    ]);
    expect(readdirSync(join(work, 'lookaside', 'lookaside'))).toHaveLength(1);
    const policy = (key: string) =>
      writePolicy(
        join(work, `lookaside-${key}.json`),
        dockerPolicy(registry.host, { type: 'signedBy', keyType: 'GPGKeys', keyPath: join(work, `${key}.gpg`) }),
      );
    const out = join(work, 'by-skopeo-out');
    const ok = await ferry(['--policy', policy('trusted'), 'copy', '-q', ...NO_TLS, ref, `dir:${out}`]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(existsSync(join(out, 'signature-1'))).toBe(true);
    const bad = await ferry([
      '--debug',
      '--policy',
      policy('other'),
      'copy',
      '-q',
      ...NO_TLS,
      ref,
      `dir:${join(work, 'x')}`,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('ERR_POLICY_REJECTED');
  });

  it('ferry signs a push, skopeo pulls it under signedBy', async () => {
    const ref = `docker://${registry.host}/lookaside/by-ferry:v1`;
    const r = await ferry([
      '--insecure-policy',
      'copy',
      '-q',
      ...NO_TLS,
      '--sign-by',
      trusted,
      `oci:${images.layout}:zstd`,
      ref,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const policy = writePolicy(
      join(work, 'sk-lookaside.json'),
      dockerPolicy(registry.host, { type: 'signedBy', keyType: 'GPGKeys', keyPath: join(work, 'trusted.gpg') }),
    );
    skopeo(['--policy', policy, 'copy', '-q', '--src-tls-verify=false', ref, `dir:${join(work, 'sk-by-ferry')}`]);
    const wrong = writePolicy(
      join(work, 'sk-lookaside-other.json'),
      dockerPolicy(registry.host, { type: 'signedBy', keyType: 'GPGKeys', keyPath: join(work, 'other.gpg') }),
    );
    expect(() =>
      skopeo(['--policy', wrong, 'copy', '-q', '--src-tls-verify=false', ref, `dir:${join(work, 'sk-by-ferry-2')}`]),
    ).toThrow();
  });
});

// Debian's skopeo 1.9.3 is built with sigstore disabled ("Debian-local change: sigstore disabled"): it can
// neither sign with a cosign key nor evaluate sigstoreSigned. The independent judges here are skopeo for the
// attachment's layout (the .sig tag, its layer and annotations) and openssl for the signature itself;
// @ferry/signature's tests verify real cosign/Fulcio/Rekor signatures from containers/image's fixtures.
describe('sigstore attachments', () => {
  const sigstorePolicy = (name: string, keyPath: string) =>
    writePolicy(join(work, `${name}.json`), dockerPolicy(registry.host, { type: 'sigstoreSigned', keyPath }));

  it('ferry signs with a cosign key as cosign stores it; openssl verifies it; ferry’s policy accepts it and refuses another key', async () => {
    const repo = `${registry.host}/sigstore/by-ferry`;
    const digestFile = join(work, 'sigstore.digest');
    const r = await ferry([
      '--insecure-policy',
      'copy',
      '-q',
      ...NO_TLS,
      '--sign-by-sigstore-private-key',
      cosignKey,
      '--sign-passphrase-file',
      passFile,
      '--digestfile',
      digestFile,
      `oci:${images.layout}:zstd`,
      `docker://${repo}:v1`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const digest = readFileSync(digestFile, 'utf8');
    const sigTag = `${digest.replace(':', '-')}.sig`;
    const raw = JSON.parse(judge('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${repo}:${sigTag}`]));
    expect(raw.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(raw.layers).toHaveLength(1);
    const layer = raw.layers[0];
    expect(layer.mediaType).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
    const signatureB64 = layer.annotations['dev.cosignproject.cosign/signature'];
    expect(signatureB64).toMatch(/^[A-Za-z0-9+/]+=*$/);

    const pulled = join(work, 'sig-artifact');
    judge('skopeo', [
      '--insecure-policy',
      'copy',
      '-q',
      '--src-tls-verify=false',
      `docker://${repo}:${sigTag}`,
      `dir:${pulled}`,
    ]);
    const payloadPath = join(pulled, layer.digest.slice('sha256:'.length));
    const payload = JSON.parse(readFileSync(payloadPath, 'utf8'));
    expect(payload.critical.image['docker-manifest-digest']).toBe(digest);
    expect(payload.critical.identity['docker-reference']).toBe(`${repo}:v1`);
    expect(payload.critical.type).toBe('cosign container image signature');
    writeFileSync(join(work, 'sig.der'), Buffer.from(signatureB64, 'base64'));
    expect(
      judge('openssl', ['dgst', '-sha256', '-verify', cosignPub, '-signature', join(work, 'sig.der'), payloadPath]),
    ).toContain('Verified OK');

    const ok = await ferry([
      '--policy',
      sigstorePolicy('ok', cosignPub),
      'copy',
      '-q',
      ...NO_TLS,
      `docker://${repo}:v1`,
      `dir:${join(work, 'sig-out')}`,
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const bad = await ferry([
      '--debug',
      '--policy',
      sigstorePolicy('bad', otherPub),
      'copy',
      '-q',
      ...NO_TLS,
      `docker://${repo}:v1`,
      `dir:${join(work, 'sig-bad')}`,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('ERR_POLICY_REJECTED');
    expect(existsSync(join(work, 'sig-bad'))).toBe(false);
  });

  it('copies the sigstore signature along with a registry-to-registry copy', async () => {
    const from = `docker://${registry.host}/sigstore/by-ferry:v1`;
    const to = `docker://${registry.host}/sigstore/copied:v1`;
    const c = await ferry(['--policy', sigstorePolicy('copy', cosignPub), 'copy', '-q', ...NO_TLS, from, to]);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    // the copy's signature still names by-ferry: the default matchRepoDigestOrExact refuses it at the new
    // name, and remapIdentity maps the new name onto the signed one
    const strict = await ferry([
      '--debug',
      '--policy',
      sigstorePolicy('copy-strict', cosignPub),
      'copy',
      '-q',
      ...NO_TLS,
      to,
      `dir:${join(work, 'strict-out')}`,
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('sigstore/by-ferry:v1');
    const remap = writePolicy(
      join(work, 'remap.json'),
      dockerPolicy(registry.host, {
        type: 'sigstoreSigned',
        keyPath: cosignPub,
        signedIdentity: {
          type: 'remapIdentity',
          prefix: `${registry.host}/sigstore/copied`,
          signedPrefix: `${registry.host}/sigstore/by-ferry`,
        },
      }),
    );
    const again = await ferry(['--policy', remap, 'copy', '-q', ...NO_TLS, to, `dir:${join(work, 'copied-out')}`]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(existsSync(join(work, 'copied-out', 'signature-1'))).toBe(true);
    const unsigned = `docker://${registry.host}/sigstore/unsigned:v1`;
    expect(
      (await ferry(['--insecure-policy', 'copy', '-q', ...NO_TLS, `oci:${images.layout}:zstd`, unsigned])).code,
    ).toBe(0);
    const refused = await ferry([
      '--debug',
      '--policy',
      sigstorePolicy('unsigned', cosignPub),
      'copy',
      '-q',
      ...NO_TLS,
      unsigned,
      `dir:${join(work, 'u')}`,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ERR_POLICY_REJECTED');
  });
});
