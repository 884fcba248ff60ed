import type { CallOptions, Digest, Signature, SigstoreSignature, SimpleSigningSignature } from '@ferry/types';
import { ImageError } from '@ferry/types';
import type { RegistryImageName } from './docker-reference.ts';
import { isWritableLookaside, writeLookasideSignatures } from './lookaside.ts';
import type { RegistryClient } from './registry-client.ts';
import { redactedUrl, type SignatureStorage } from './signature-storage.ts';
import { writeSigstoreAttachments } from './sigstore-attachments.ts';

/**
 * The signature kinds a `docker://` destination can store with this configuration: simple signing when
 * its lookaside (staging) location is a `file://` URL, sigstore when attachments are enabled.
 */
export function storableSignatureKinds(storage: SignatureStorage): Signature['kind'][] {
  const kinds: Signature['kind'][] = [];
  if (isWritableLookaside(storage.lookasideWrite)) kinds.push('simple-signing');
  if (storage.sigstoreAttachments) kinds.push('sigstore');
  return kinds;
}

/**
 * Stores signatures of manifest `digest`: sigstore ones as attachments (added to those there), then
 * simple-signing ones in the lookaside (replacing those there), as containers/image does. Every kind is
 * checked against the configuration before anything is written.
 * @throws {@link ImageError} `ERR_NOT_IMPLEMENTED` naming the reference and what to configure for a kind
 * that cannot be stored; upload and I/O codes.
 */
export async function writeDockerSignatures(
  client: RegistryClient,
  name: RegistryImageName,
  storage: SignatureStorage,
  digest: Digest,
  signatures: readonly Signature[],
  options: CallOptions = {},
): Promise<void> {
  const simple: SimpleSigningSignature[] = [];
  const sigstore: SigstoreSignature[] = [];
  for (const signature of signatures) {
    if (signature.kind === 'simple-signing') simple.push(signature);
    else if (signature.kind === 'sigstore') sigstore.push(signature);
    else refuseUnknown(name, signature);
  }
  if (sigstore.length > 0 && !storage.sigstoreAttachments) {
    throw new ImageError(
      'ERR_NOT_IMPLEMENTED',
      `cannot store sigstore signatures for ${name.toString()}: set "use-sigstore-attachments: true" for its namespace in registries.d`,
    );
  }
  if (simple.length > 0 && !isWritableLookaside(storage.lookasideWrite)) {
    throw new ImageError(
      'ERR_NOT_IMPLEMENTED',
      `cannot store simple-signing signatures for ${name.toString()} in the lookaside ${redactedUrl(storage.lookasideWrite)}: writing is supported only to a file:// location; configure "lookaside-staging" for its namespace in registries.d`,
    );
  }
  if (sigstore.length > 0) await writeSigstoreAttachments(client, name.path, digest, sigstore, options);
  if (simple.length > 0) await writeLookasideSignatures(storage.lookasideWrite, digest, simple, options);
}

function refuseUnknown(name: RegistryImageName, signature: never): never {
  throw new ImageError(
    'ERR_NOT_IMPLEMENTED',
    `cannot store a ${String((signature as { kind?: unknown }).kind)} signature for ${name.toString()}`,
  );
}
