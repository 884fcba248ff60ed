import { type KeyObject, verify } from 'node:crypto';
import { ImageError, type SigstoreSignature } from '@ferry/types';
import type { X509Certificate } from '@sigstore/core';
import { type FulcioTrustRoot, parseFulcioCaCertificates, verifyFulcioCertificate } from './fulcio-cert.ts';
import { verifyRekorSet } from './rekor-set.ts';
import {
  SIGSTORE_BUNDLE_ANNOTATION,
  SIGSTORE_CERTIFICATE_ANNOTATION,
  SIGSTORE_CHAIN_ANNOTATION,
  SIGSTORE_SIGNATURE_ANNOTATION,
} from './sigstore-annotations.ts';
import { parseSigstorePayload, type SigstorePayload } from './sigstore-payload.ts';
import { encodePem, parsePublicKeyPem } from './sigstore-pem.ts';

type PemData = Uint8Array | string;

/**
 * What a sigstore signature is verified against: exactly one of `publicKeys` and `fulcio` (the
 * `sigstoreSigned` requirement of `policy.json`), all as PEM.
 */
export interface SigstoreTrust {
  /** Public keys, one PEM each; any of them may have signed. */
  readonly publicKeys?: readonly PemData[];
  /** Fulcio: the CA certificates (PEM, several per input allowed) and the identity the certificate must carry. */
  readonly fulcio?: {
    readonly caCertificates: readonly PemData[];
    readonly oidcIssuer: string;
    readonly subjectEmail: string;
  };
  /**
   * Rekor public keys (ECDSA, one PEM each). Required with `fulcio`; with `publicKeys`, their presence
   * makes a SET in the bundle annotation required.
   */
  readonly rekorPublicKeys?: readonly PemData[];
}

/**
 * Verifies a sigstore signature as containers/image's `sigstoreSigned` requirement does and returns its
 * payload. With public keys, the signature must verify with one of them (and, when Rekor keys are given, the
 * bundle must log that key, signature and payload). With Fulcio, the bundle's Rekor SET must verify and
 * name the certificate, which must chain to the CA and carry the OIDC issuer and e-mail at the SET's
 * integration time; the signature must verify with its key. Whether the payload's digest and identity fit
 * the image is the caller's business.
 *
 * @throws {@link ImageError} `ERR_SIGNATURE_INVALID` for a signature that fails any check;
 * `ERR_INVALID_POLICY` for unusable trust data.
 * @example
 * ```ts
 * const payload = verifySigstoreSignature(signature, { publicKeys: [await readFile('cosign.pub')] });
 * console.log(payload.dockerReference, payload.manifestDigest);
 * ```
 */
export function verifySigstoreSignature(signature: SigstoreSignature, trust: SigstoreTrust): SigstorePayload {
  const prepared = prepareTrust(trust);
  const base64Signature = annotation(signature, SIGSTORE_SIGNATURE_ANNOTATION);
  const keys = signingKeys(prepared, signature, base64Signature);
  const signatureBytes = strictBase64(base64Signature);
  if (!keys.some((key) => verifies(key, signature.payload, signatureBytes))) {
    throw invalid('cryptographic signature verification failed');
  }
  return parseSigstorePayload(signature.payload);
}

interface PreparedTrust {
  readonly publicKeys?: readonly KeyObject[];
  readonly fulcio?: FulcioTrustRoot;
  readonly rekorPublicKeys?: readonly KeyObject[];
}

function prepareTrust(trust: SigstoreTrust): PreparedTrust {
  if ((trust.publicKeys === undefined) === (trust.fulcio === undefined)) {
    throw policy('exactly one of public keys and Fulcio must be specified');
  }
  const publicKeys = trust.publicKeys?.map((pem, i) => readKey(pem, `public key ${i + 1}`));
  if (publicKeys?.length === 0) throw policy('no public keys were specified');
  const rekorPublicKeys = trust.rekorPublicKeys?.map((pem, i) => {
    const key = readKey(pem, `Rekor public key ${i + 1}`);
    if (key.asymmetricKeyType !== 'ec') throw policy(`Rekor public key ${i + 1} is not using ECDSA`);
    return key;
  });
  if (rekorPublicKeys?.length === 0) throw policy('no Rekor public keys were specified');
  let fulcio: FulcioTrustRoot | undefined;
  if (trust.fulcio !== undefined) {
    const { oidcIssuer, subjectEmail } = trust.fulcio;
    if (oidcIssuer === '') throw policy('Fulcio use set up without OIDC issuer');
    if (subjectEmail === '') throw policy('Fulcio use set up without subject email');
    if (rekorPublicKeys === undefined) throw policy('Fulcio CA specified without a Rekor public key');
    const caCertificates: X509Certificate[] = trust.fulcio.caCertificates.flatMap((pem) =>
      parseFulcioCaCertificates(typeof pem === 'string' ? new TextEncoder().encode(pem) : pem),
    );
    fulcio = { caCertificates, oidcIssuer, subjectEmail };
  }
  return {
    ...(publicKeys !== undefined ? { publicKeys } : {}),
    ...(fulcio !== undefined ? { fulcio } : {}),
    ...(rekorPublicKeys !== undefined ? { rekorPublicKeys } : {}),
  };
}

function signingKeys(trust: PreparedTrust, signature: SigstoreSignature, base64Signature: string): KeyObject[] {
  const { publicKeys, fulcio, rekorPublicKeys } = trust;
  if (publicKeys !== undefined) {
    if (rekorPublicKeys === undefined) return [...publicKeys];
    const set = annotation(signature, SIGSTORE_BUNDLE_ANNOTATION);
    const failures: string[] = [];
    for (const key of publicKeys) {
      // re-marshalled, so that the comparison with the logged key does not depend on how the policy spelled it
      const keyOrCertificatePem = encodePem('PUBLIC KEY', key.export({ format: 'der', type: 'spki' }));
      try {
        verifyRekorSet({ rekorPublicKeys, set, keyOrCertificatePem, base64Signature, payload: signature.payload });
        return [key];
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    throw invalid(`no public key verified against the Rekor SET: ${failures.join(', ')}`);
  }
  if (fulcio === undefined || rekorPublicKeys === undefined) throw policy('neither public keys nor Fulcio specified');
  const set = annotation(signature, SIGSTORE_BUNDLE_ANNOTATION);
  const certificatePem = annotation(signature, SIGSTORE_CERTIFICATE_ANNOTATION);
  const chainPem = signature.annotations[SIGSTORE_CHAIN_ANNOTATION];
  const time = verifyRekorSet({
    rekorPublicKeys,
    set,
    keyOrCertificatePem: certificatePem,
    base64Signature,
    payload: signature.payload,
  });
  return [verifyFulcioCertificate(fulcio, { time, certificatePem, ...(chainPem !== undefined ? { chainPem } : {}) })];
}

// sigstore's verifiers: SHA-256 with ECDSA (ASN.1) and RSA (PKCS #1 v1.5), Ed25519 over the message itself
function verifies(key: KeyObject, payload: Uint8Array, signature: Buffer): boolean {
  try {
    return verify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', payload, key, signature);
  } catch {
    return false;
  }
}

function readKey(pem: PemData, what: string): KeyObject {
  try {
    return parsePublicKeyPem(typeof pem === 'string' ? pem : new TextDecoder().decode(pem));
  } catch (cause) {
    throw new ImageError('ERR_INVALID_POLICY', `parsing ${what}: ${(cause as Error).message}`, { cause });
  }
}

function annotation(signature: SigstoreSignature, name: string): string {
  const value = signature.annotations[name];
  if (value === undefined) throw invalid(`missing ${name} annotation`);
  return value;
}

function strictBase64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
    throw invalid('base64 decoding of the signature failed');
  return Buffer.from(text, 'base64');
}

function invalid(message: string): ImageError {
  return new ImageError('ERR_SIGNATURE_INVALID', message);
}

function policy(message: string): ImageError {
  return new ImageError('ERR_INVALID_POLICY', message);
}
