// Test helpers: openpgp.js keys and a parsed identity for signing inputs.
import { manifestDigest } from '@ferry/manifest';
import { parseNormalizedNamed } from '@ferry/reference';
import type { NamedReference, SigningInput } from '@ferry/types';
import { generateKey, readKey } from 'openpgp';

export const MANIFEST: Uint8Array = new TextEncoder().encode(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: `sha256:${'a'.repeat(64)}`,
      size: 2,
    },
    layers: [],
  }),
);

export function named(text: string): NamedReference {
  return parseNormalizedNamed(text) as NamedReference;
}

export function signingInput(reference = 'quay.io/ferry/app:v1', manifest: Uint8Array = MANIFEST): SigningInput {
  return { manifest, manifestDigest: manifestDigest(manifest), identity: named(reference) };
}

export interface TestKey {
  readonly privateKey: string;
  readonly publicKey: string;
  readonly fingerprint: string;
}

/** An openpgp.js ed25519 (v4, legacy curve, as gpg 2.2 needs) signing key. */
export async function openpgpKey(
  name = 'Ferry Test',
  options: { passphrase?: string; keyExpirationTime?: number; date?: Date } = {},
): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKey({
    userIDs: [{ name, email: 'test@example.com' }],
    type: 'ecc',
    curve: 'curve25519Legacy',
    format: 'armored',
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.keyExpirationTime === undefined ? {} : { keyExpirationTime: options.keyExpirationTime }),
    ...(options.date === undefined ? {} : { date: options.date }),
  });
  const fingerprint = (await readKey({ armoredKey: publicKey })).getFingerprint().toUpperCase();
  return { privateKey, publicKey, fingerprint };
}
