import type { CallOptions, Digest, RegistryOptions, Signature } from '@ferry/types';
import type { RegistryImageName } from './docker-reference.ts';
import { readLookasideSignatures } from './lookaside.ts';
import { createRegistryAgent } from './registry-agent.ts';
import type { RegistryClient } from './registry-client.ts';
import type { SignatureStorage } from './signature-storage.ts';
import { readSigstoreAttachments } from './sigstore-attachments.ts';

/** Options of {@link readDockerSignatures}. */
export interface ReadDockerSignaturesOptions extends CallOptions {
  /** The registry's settings: an `http(s)://` lookaside is read with its TLS settings, as containers/image does. */
  readonly registry: RegistryOptions;
}

/**
 * The signatures of manifest `digest` of a `docker://` image: those of its lookaside (always consulted,
 * with the built-in default location when none is configured), then its sigstore attachments when
 * `use-sigstore-attachments` is on for its namespace.
 */
export async function readDockerSignatures(
  client: RegistryClient,
  name: RegistryImageName,
  storage: SignatureStorage,
  digest: Digest,
  options: ReadDockerSignaturesOptions,
): Promise<Signature[]> {
  const call: CallOptions = options.signal === undefined ? {} : { signal: options.signal };
  const base = storage.lookasideRead;
  const remote = base.protocol === 'http:' || base.protocol === 'https:';
  const agent = remote ? await createRegistryAgent(name.domain, options.registry, call) : undefined;
  let signatures: Signature[];
  try {
    signatures = await readLookasideSignatures(base, digest, {
      ...call,
      ...(agent === undefined ? {} : { dispatcher: agent }),
    });
  } finally {
    await agent?.close().catch(() => undefined);
  }
  if (storage.sigstoreAttachments) {
    signatures.push(...(await readSigstoreAttachments(client, name.path, digest, call)));
  }
  return signatures;
}
