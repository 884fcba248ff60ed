import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, runFerry } from '../cli/test-support/run-ferry.ts';
import { type GpgHome, gpgHome, writePolicy } from './test-support/gpg-home.ts';
import { buildTestImages, type TestImages } from './test-support/test-images.ts';

// Simple signing between Ferry, skopeo and gpg on local transports: whoever signs, the other one's policy
// decides, with the right key accepting and the wrong key rejecting.

const IDENTITY = 'registry.example/team/app:v1';
let work: string;
let images: TestImages;
let gpg: GpgHome;
let trusted: string;
let other: string;
let trustedPolicy: string;
let otherPolicy: string;

function signedByPolicy(keyPath: string): unknown {
  return {
    default: [{ type: 'reject' }],
    transports: {
      dir: {
        '': [
          {
            type: 'signedBy',
            keyType: 'GPGKeys',
            keyPath,
            signedIdentity: { type: 'exactReference', dockerReference: IDENTITY },
          },
        ],
      },
      oci: { '': [{ type: 'insecureAcceptAnything' }] },
    },
  };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ferry-signatures-dir-'));
  images = buildTestImages(join(work, 'images'));
  gpg = gpgHome(join(work, 'gnupg'));
  trusted = gpg.newKey('Trusted');
  other = gpg.newKey('Other');
  gpg.exportPublic(trusted, join(work, 'trusted.gpg'));
  gpg.exportPublic(other, join(work, 'other.gpg'));
  trustedPolicy = writePolicy(join(work, 'trusted-policy.json'), signedByPolicy(join(work, 'trusted.gpg')));
  otherPolicy = writePolicy(join(work, 'other-policy.json'), signedByPolicy(join(work, 'other.gpg')));
}, 60_000);

afterAll(() => {
  gpg?.close();
  rmSync(work, { recursive: true, force: true });
});

const ferry = (args: readonly string[]) => runFerry(args, { env: gpg.env });

describe('skopeo signs, ferry decides', () => {
  let signed: string;
  beforeAll(() => {
    signed = join(work, 'skopeo-signed');
    judge(
      'skopeo',
      [
        '--insecure-policy',
        'copy',
        '-q',
        '--sign-by',
        trusted,
        '--sign-identity',
        IDENTITY,
        `oci:${images.layout}:zstd`,
        `dir:${signed}`,
      ],
      undefined,
      gpg.env,
    );
  });

  it('accepts the image under a signedBy policy with the signing key, and keeps the signature', async () => {
    const out = join(work, 'accepted');
    const r = await ferry(['--policy', trustedPolicy, 'copy', '-q', `dir:${signed}`, `dir:${out}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'signature-1'))).toEqual(readFileSync(join(signed, 'signature-1')));
  });

  it('rejects it under a policy with another key, writing nothing', async () => {
    const out = join(work, 'rejected');
    const r = await ferry(['--debug', '--policy', otherPolicy, 'copy', '-q', `dir:${signed}`, `dir:${out}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_POLICY_REJECTED');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a tampered signature and a signature for another manifest', async () => {
    const tampered = join(work, 'tampered');
    judge('cp', ['-r', signed, tampered]);
    const bytes = readFileSync(join(tampered, 'signature-1'));
    bytes.writeUInt8((bytes.readUInt8(bytes.length - 40) ^ 0x01) & 0xff, bytes.length - 40);
    writeFileSync(join(tampered, 'signature-1'), bytes);
    const r = await ferry([
      '--debug',
      '--policy',
      trustedPolicy,
      'copy',
      '-q',
      `dir:${tampered}`,
      `dir:${join(work, 't-out')}`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_POLICY_REJECTED');

    const moved = join(work, 'moved');
    judge('skopeo', ['--insecure-policy', 'copy', '-q', `oci:${images.layout}:v1`, `dir:${moved}`]);
    writeFileSync(join(moved, 'signature-1'), readFileSync(join(signed, 'signature-1')));
    const m = await ferry([
      '--debug',
      '--policy',
      trustedPolicy,
      'copy',
      '-q',
      `dir:${moved}`,
      `dir:${join(work, 'm-out')}`,
    ]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/digest/i);
  });

  it('verifies a skopeo standalone-sign signature with ferry standalone-verify', async () => {
    const sig = join(work, 'standalone.sig');
    judge(
      'skopeo',
      ['standalone-sign', '-o', sig, join(signed, 'manifest.json'), IDENTITY, trusted],
      undefined,
      gpg.env,
    );
    const ok = await ferry(['standalone-verify', join(signed, 'manifest.json'), IDENTITY, trusted, sig]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(`^Signature verified using fingerprint ${trusted}, digest sha256:[0-9a-f]{64}\\n$`),
    );
    const wrongRef = await ferry([
      'standalone-verify',
      join(signed, 'manifest.json'),
      'registry.example/x:v1',
      trusted,
      sig,
    ]);
    expect(wrongRef.code).toBe(1);
    const wrongKey = await ferry(['standalone-verify', join(signed, 'manifest.json'), IDENTITY, other, sig]);
    expect(wrongKey.code).toBe(1);
    const anyKey = await ferry([
      'standalone-verify',
      '--public-key-file',
      join(work, 'trusted.gpg'),
      join(signed, 'manifest.json'),
      IDENTITY,
      'any',
      sig,
    ]);
    expect(anyKey.code).toBe(0);
  });
});

describe('ferry signs, skopeo and gpg decide', () => {
  it('signs with gpg (--sign-by): skopeo accepts it under the trusted policy and rejects it under the other', async () => {
    const signed = join(work, 'ferry-signed-gpg');
    const r = await ferry([
      '--insecure-policy',
      'copy',
      '-q',
      '--sign-by',
      trusted,
      '--sign-identity',
      IDENTITY,
      `oci:${images.layout}:zstd`,
      `dir:${signed}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    judge('skopeo', ['--policy', trustedPolicy, 'copy', '-q', `dir:${signed}`, `dir:${join(work, 'sk-accepted')}`]);
    expect(() =>
      judge('skopeo', ['--policy', otherPolicy, 'copy', '-q', `dir:${signed}`, `dir:${join(work, 'sk-rejected')}`]),
    ).toThrow(/not signed|rejected|signature/i);
    const decrypted = gpg.run(['--status-fd', '2', '--decrypt', join(signed, 'signature-1')]);
    expect(decrypted.stderr).toContain(`VALIDSIG ${trusted}`);
    const payload = JSON.parse(decrypted.stdout.toString());
    expect(payload.critical.identity['docker-reference']).toBe(IDENTITY);
    expect(payload.critical.type).toBe('atomic container signature');
    judge(
      'skopeo',
      ['standalone-verify', join(signed, 'manifest.json'), IDENTITY, trusted, join(signed, 'signature-1')],
      undefined,
      gpg.env,
    );
  });

  it('signs with a private key file (no gpg): skopeo accepts it', async () => {
    const key = join(work, 'trusted-secret.asc');
    gpg.exportSecret(trusted, key);
    const signed = join(work, 'ferry-signed-file');
    const r = await runFerry([
      '--insecure-policy',
      'copy',
      '-q',
      '--sign-by-pgp-private-key',
      key,
      '--sign-identity',
      IDENTITY,
      `oci:${images.layout}:zstd`,
      `dir:${signed}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    judge('skopeo', ['--policy', trustedPolicy, 'copy', '-q', `dir:${signed}`, `dir:${join(work, 'sk-accepted-2')}`]);
  });

  it('refuses to sign without an identity for a dir: destination', async () => {
    const r = await ferry([
      '--insecure-policy',
      'copy',
      '-q',
      '--sign-by',
      trusted,
      `oci:${images.layout}:zstd`,
      `dir:${join(work, 'no-id')}`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/identity/);
    expect(existsSync(join(work, 'no-id'))).toBe(false);
  });
});

describe('policy files', () => {
  it('fails on a missing or malformed policy, naming the file or field', async () => {
    const missing = await ferry([
      '--policy',
      join(work, 'nope.json'),
      'copy',
      `oci:${images.layout}:zstd`,
      `dir:${join(work, 'x')}`,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.json');
    const bad = writePolicy(join(work, 'bad.json'), { default: [{ type: 'acceptEverything' }] });
    const malformed = await ferry(['--policy', bad, 'copy', `oci:${images.layout}:zstd`, `dir:${join(work, 'y')}`]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('acceptEverything');
    expect(existsSync(join(work, 'x'))).toBe(false);
  });

  it('rejects under a reject policy and accepts with --insecure-policy', async () => {
    const reject = writePolicy(join(work, 'reject.json'), { default: [{ type: 'reject' }] });
    const r = await ferry(['--policy', reject, 'copy', '-q', `oci:${images.layout}:zstd`, `dir:${join(work, 'r')}`]);
    expect(r.code).toBe(1);
    const ok = await ferry([
      '--policy',
      reject,
      '--insecure-policy',
      'copy',
      '-q',
      `oci:${images.layout}:zstd`,
      `dir:${join(work, 'r')}`,
    ]);
    expect(ok.code).toBe(0);
  });
});
