import { parseNamed } from '@ferry/reference';
import type { ImageSigner, NamedReference } from '@ferry/types';
import type { CliIO } from '../command.ts';
import type { FlagSpec, ParsedArgs } from '../flags.ts';
import { UsageError } from '../usage-error.ts';
import { readPassphraseFile, readSmallFile } from './read-small-file.ts';

/** The signing flags of `ferry copy`: skopeo's, plus `--sign-by-pgp-private-key` (sign without gpg). */
export const SIGN_FLAGS: readonly FlagSpec[] = [
  {
    name: 'sign-by',
    type: 'string',
    valueName: 'FINGERPRINT',
    description: 'Sign the image using a GPG key with the specified FINGERPRINT',
  },
  {
    name: 'sign-by-pgp-private-key',
    type: 'string',
    valueName: 'PATH',
    description: 'Sign the image using the OpenPGP private key file at PATH, without gpg',
  },
  {
    name: 'sign-by-sigstore-private-key',
    type: 'string',
    valueName: 'PATH',
    description: 'Sign the image using a sigstore private key at PATH',
  },
  {
    name: 'sign-identity',
    type: 'string',
    valueName: 'string',
    description:
      'Identity of signed image, must be a fully specified docker reference. Defaults to the target docker reference.',
  },
  {
    name: 'sign-passphrase-file',
    type: 'string',
    valueName: 'PATH',
    description: 'Read a passphrase for signing an image from PATH',
  },
];

/** The signers the flags ask for, in skopeo's order (GPG, then sigstore), loaded only when signing. */
export async function signersFrom(
  args: ParsedArgs,
  io: CliIO,
  signal: AbortSignal,
  command = 'copy',
): Promise<ImageSigner[]> {
  const flag = (name: string): string | undefined => args.flags.get(name) as string | undefined;
  const fingerprint = flag('sign-by');
  const pgpKey = flag('sign-by-pgp-private-key');
  const sigstoreKey = flag('sign-by-sigstore-private-key');
  const passphraseFile = flag('sign-passphrase-file');
  if (fingerprint !== undefined && pgpKey !== undefined) {
    throw new UsageError('--sign-by and --sign-by-pgp-private-key cannot be used together', command);
  }
  if (fingerprint === undefined && pgpKey === undefined && sigstoreKey === undefined) {
    if (passphraseFile !== undefined) {
      throw new UsageError('--sign-passphrase-file is only valid together with a signing key', command);
    }
    if (flag('sign-identity') !== undefined) {
      throw new UsageError('--sign-identity is only valid together with a signing key', command);
    }
    return [];
  }
  const passphrase =
    passphraseFile === undefined ? undefined : await readPassphraseFile(io.cwd, passphraseFile, signal);
  const signing = await import('@ferry/signature');
  const signers: ImageSigner[] = [];
  if (fingerprint !== undefined) {
    signers.push(
      signing.gpgSigner({
        fingerprint,
        ...(passphrase !== undefined && { passphrase }),
        ...(io.env.GNUPGHOME !== undefined && { homeDir: io.env.GNUPGHOME }),
      }),
    );
  }
  if (pgpKey !== undefined) {
    const privateKey = await readSmallFile(io.cwd, pgpKey, 'OpenPGP private key', signal);
    signers.push(await signing.simpleSigner({ privateKey, ...(passphrase !== undefined && { passphrase }) }));
  }
  if (sigstoreKey !== undefined) {
    if (passphrase === undefined) {
      throw new UsageError('--sign-by-sigstore-private-key needs --sign-passphrase-file', command);
    }
    const privateKey = await readSmallFile(io.cwd, sigstoreKey, 'sigstore private key', signal);
    signers.push(await signing.sigstoreSigner({ privateKey, passphrase }));
  }
  return signers;
}

/**
 * `--sign-identity`: a fully specified Docker reference in its canonical form, as skopeo requires
 * (`docker.io/library/busybox:latest`, not `busybox`).
 */
export function signIdentityFrom(args: ParsedArgs, command = 'copy'): NamedReference | undefined {
  const text = args.flags.get('sign-identity') as string | undefined;
  if (text === undefined) return undefined;
  try {
    return parseNamed(text);
  } catch (cause) {
    throw new UsageError(`Could not parse --sign-identity: ${(cause as Error).message}`, command);
  }
}
