import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { manifestDigest, matchesDigest } from '@ferry/manifest';
import { parseNormalizedNamed } from '@ferry/reference';
import { ImageError } from '@ferry/types';
import type { CommandContext } from '../command.ts';
import { UsageError } from '../usage-error.ts';
import { readManifestFile } from './manifest-digest.ts';
import { readPassphraseFile, readSmallFile } from './read-small-file.ts';

/** Runs `ferry standalone-sign`: signs a manifest file for a reference with gpg or a key file. */
export async function runStandaloneSign({ args, io, signal }: CommandContext): Promise<number> {
  const [manifestPath, referenceText, fingerprint] = args.positionals as [string, string, string];
  const output = args.flags.get('output') as string | undefined;
  if (output === undefined) {
    throw new UsageError(
      'Usage: ferry standalone-sign manifest docker-reference key-fingerprint -o signature',
      'standalone-sign',
    );
  }
  const manifest = await readManifestFile(resolve(io.cwd, manifestPath), signal);
  const identity = parseNormalizedNamed(referenceText);
  const passphraseFile = args.flags.get('passphrase-file') as string | undefined;
  const passphrase =
    passphraseFile === undefined ? undefined : await readPassphraseFile(io.cwd, passphraseFile, signal);
  const keyFile = args.flags.get('pgp-private-key') as string | undefined;
  const signing = await import('@ferry/signature');
  const signer =
    keyFile === undefined
      ? signing.gpgSigner({
          fingerprint,
          ...(passphrase !== undefined && { passphrase }),
          ...(io.env.GNUPGHOME !== undefined && { homeDir: io.env.GNUPGHOME }),
        })
      : await signing.simpleSigner({
          privateKey: await readSmallFile(io.cwd, keyFile, 'OpenPGP private key', signal),
          ...(passphrase !== undefined && { passphrase }),
          ...(fingerprint !== '-' && { fingerprint }),
        });
  const signature = await signer.sign({ manifest, manifestDigest: manifestDigest(manifest), identity }, { signal });
  if (signature.kind !== 'simple-signing')
    throw new ImageError('ERR_SIGNATURE_INVALID', 'the signer made no OpenPGP signature');
  try {
    await writeFile(resolve(io.cwd, output), signature.bytes, { signal });
  } catch (cause) {
    if (signal.aborted) throw signal.reason;
    throw new ImageError('ERR_IO', `Error writing signature to ${output}: ${(cause as Error).message}`, { cause });
  }
  return 0;
}

/**
 * Runs `ferry standalone-verify`: checks a signature file against a manifest file, a reference and trusted
 * fingerprints (comma-separated, or `any` with `--public-key-file`), as current skopeo does.
 */
export async function runStandaloneVerify({ args, io, signal }: CommandContext): Promise<number> {
  const [manifestPath, referenceText, fingerprintList, signaturePath] = args.positionals as [
    string,
    string,
    string,
    string,
  ];
  const publicKeyFile = args.flags.get('public-key-file') as string | undefined;
  const wanted = fingerprintList.split(',').map((f) => f.trim().toUpperCase());
  const any = wanted.length === 1 && wanted[0] === 'ANY';
  if (any && publicKeyFile === undefined) {
    throw new UsageError('Cannot use any fingerprint without a public key file', 'standalone-verify');
  }
  const manifest = await readManifestFile(resolve(io.cwd, manifestPath), signal);
  const signatureBytes = await readSmallFile(io.cwd, signaturePath, 'signature', signal);
  const expected = parseNormalizedNamed(referenceText);
  const signing = await import('@ferry/signature');
  const keyData =
    publicKeyFile === undefined
      ? await signing.exportGpgPublicKeys(wanted, {
          signal,
          ...(io.env.GNUPGHOME !== undefined && { homeDir: io.env.GNUPGHOME }),
        })
      : await readSmallFile(io.cwd, publicKeyFile, 'public keys', signal);
  const keyring = await signing.readOpenPgpKeyring([keyData]);
  const { payload, keyFingerprint } = await signing.verifySimpleSigning(signatureBytes, keyring, { signal });
  const fail = (reason: string): never => {
    throw new ImageError('ERR_SIGNATURE_INVALID', `Error verifying signature: ${reason}`);
  };
  if (!any && !wanted.includes(keyFingerprint.toUpperCase())) {
    fail(`signature by key ${keyFingerprint} does not match expected fingerprints [${wanted.join(' ')}]`);
  }
  if (!matchesDigest(manifest, payload.manifestDigest)) {
    fail(`signature for manifest digest ${payload.manifestDigest} does not match ${manifestDigest(manifest)}`);
  }
  let signed: string | undefined;
  try {
    signed = parseNormalizedNamed(payload.dockerReference).toString();
  } catch {
    signed = undefined;
  }
  if (signed !== expected.toString()) {
    fail(
      `signature for docker reference ${JSON.stringify(payload.dockerReference)} does not match ${expected.toString()}`,
    );
  }
  io.stdout(`Signature verified using fingerprint ${keyFingerprint}, digest ${payload.manifestDigest}\n`);
  return 0;
}
