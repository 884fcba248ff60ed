import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { matchesDigest } from '@ferry/manifest';
import { parseDockerRef } from '@ferry/reference';
import { decodeSignature, encodeSignature } from '@ferry/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptCosignPrivateKey } from './cosign-private-key.ts';
import { sigstoreSigner } from './sigstore-signer.ts';
import { verifySigstoreSignature } from './sigstore-verify.ts';
import { sha256Digest, testKeys } from './test-support/sigstore-fixtures.ts';

const run = promisify(execFile);
const keys = testKeys();
const IDENTITY = 'example.com/ns/tiny:v1';
let work: string;

// skopeo 1.9 is the judge of the storage format; umoci makes the small image it copies
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ferry-sigstore-skopeo-'));
  await run('umoci', ['init', '--layout', join(work, 'oci')]);
  await run('umoci', ['new', '--image', `${join(work, 'oci')}:tiny`]);
  await run('skopeo', ['copy', '--insecure-policy', `oci:${join(work, 'oci')}:tiny`, `dir:${join(work, 'plain')}`]);
  const manifest = readFileSync(join(work, 'plain', 'manifest.json'));
  const signer = await sigstoreSigner({ privateKey: encryptCosignPrivateKey(keys.privateKey, 'pw'), passphrase: 'pw' });
  const signature = await signer.sign({
    manifest,
    manifestDigest: sha256Digest(manifest),
    identity: parseDockerRef(IDENTITY),
  });
  cpSync(join(work, 'plain'), join(work, 'signed'), { recursive: true });
  writeFileSync(join(work, 'signed', 'signature-1'), encodeSignature(signature));
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('sigstore signatures and skopeo 1.9', () => {
  it('skopeo copies a signature Ferry made, and Ferry verifies the copy with the public key', async () => {
    const out = join(work, 'copied');
    await run('skopeo', ['copy', '--insecure-policy', `dir:${join(work, 'signed')}`, `dir:${out}`]);
    const copied = decodeSignature(readFileSync(join(out, 'signature-1')));
    expect(copied.kind).toBe('sigstore');
    if (copied.kind !== 'sigstore') return;
    const payload = verifySigstoreSignature(copied, { publicKeys: [keys.publicPem] });
    expect(payload.dockerReference).toBe(IDENTITY);
    expect(matchesDigest(readFileSync(join(out, 'manifest.json')), payload.manifestDigest)).toBe(true);
  });

  // Debian's skopeo 1.9.3 is built with sigstore disabled ("Debian-local change: sigstore disabled") for signing
  // and for sigstoreSigned policies, so it cannot judge a sigstore policy here; real cosign/Fulcio/Rekor
  // signatures from containers/image's fixtures are verified in sigstore-interop.test.ts instead.
});
