import { createPublicKey, type KeyObject } from 'node:crypto';
import { ImageError } from '@ferry/types';
import { ASN1Obj, X509Certificate } from '@sigstore/core';
import { decodePemBlocks } from './sigstore-pem.ts';

/** Fulcio's OIDC issuer extension, v1: the raw issuer bytes (deprecated, still accepted). */
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
/** Fulcio's OIDC issuer extension, v2: a DER string. */
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_ANY_EXT_KEY_USAGE = '2.5.29.37.0';
const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
// critical extensions Go's x509 understands (name constraints are left out: we do not enforce them, so a
// certificate that makes them critical is refused rather than accepted unchecked)
const HANDLED_CRITICAL = new Set(['2.5.29.14', '2.5.29.15', '2.5.29.17', '2.5.29.19', '2.5.29.35', '2.5.29.37']);
const MAX_CHAIN_LENGTH = 10;

/** Trust in certificates issued by a Fulcio CA to one OIDC identity. */
export interface FulcioTrustRoot {
  /** The trusted CA certificates. */
  readonly caCertificates: readonly X509Certificate[];
  /** The OIDC issuer the certificate must record, e.g. `https://github.com/login/oauth`. */
  readonly oidcIssuer: string;
  /** The e-mail address the certificate must carry as a subject alternative name. */
  readonly subjectEmail: string;
}

/**
 * Reads the CA certificates of a policy's `fulcio.caPath`/`caData`, as Go's `CertPool.AppendCertsFromPEM`:
 * `CERTIFICATE` blocks are taken, other blocks are skipped.
 * @throws {@link ImageError} `ERR_INVALID_POLICY` when no certificate can be read.
 * @example
 * ```ts
 * const caCertificates = parseFulcioCaCertificates(await readFile('/etc/fulcio-ca.pem'));
 * ```
 */
export function parseFulcioCaCertificates(pem: Uint8Array): X509Certificate[] {
  const certificates: X509Certificate[] = [];
  let blocks: ReturnType<typeof decodePemBlocks> = [];
  try {
    blocks = decodePemBlocks(new TextDecoder().decode(pem));
  } catch {
    // like AppendCertsFromPEM, keep what was readable
  }
  for (const block of blocks) {
    if (block.type !== 'CERTIFICATE') continue;
    try {
      certificates.push(parseCertificate(block.der));
    } catch {
      // skipped, as Go skips unparseable certificates
    }
  }
  if (certificates.length === 0) throw new ImageError('ERR_INVALID_POLICY', 'error loading Fulcio CA certificates');
  return certificates;
}

/**
 * Verifies a Fulcio signing certificate as containers/image does: it must chain to a trusted CA through the
 * intermediates of `chainPem` (all but its last certificate, the root), every certificate valid at `time`
 * (the Rekor integration time) and allowing code signing; it must record the expected OIDC issuer and carry
 * the expected e-mail address.
 *
 * @returns the certificate's public key, to verify the signature with.
 * @throws {@link ImageError} `ERR_SIGNATURE_INVALID` naming the failed check.
 * @example
 * ```ts
 * const key = verifyFulcioCertificate(trust, { time: integrated, certificatePem, chainPem });
 * ```
 */
export function verifyFulcioCertificate(
  trust: FulcioTrustRoot,
  input: { readonly time: Date; readonly certificatePem: string; readonly chainPem?: string },
): KeyObject {
  const leaf = parseLeaf(input.certificatePem);
  const intermediates = parseIntermediates(input.chainPem);
  const chain = buildChain(leaf, intermediates, trust.caCertificates, input.time);
  if (chain === undefined) {
    throw invalid('verifying leaf certificate failed: no valid chain to a trusted Fulcio CA at the Rekor time');
  }
  const issuer = oidcIssuer(leaf);
  if (issuer !== trust.oidcIssuer) throw invalid(`unexpected Fulcio OIDC issuer ${JSON.stringify(issuer)}`);
  const emails = emailAddresses(leaf);
  if (!emails.includes(trust.subjectEmail)) {
    throw invalid(`required email ${JSON.stringify(trust.subjectEmail)} not found (got ${JSON.stringify(emails)})`);
  }
  return createPublicKey({ key: leaf.publicKey, format: 'der', type: 'spki' });
}

function parseLeaf(pem: string): X509Certificate {
  const blocks = decodeCertificates(pem, 'leaf certificate');
  if (blocks.length === 0) throw invalid('no certificate found in signature certificate data');
  if (blocks.length > 1) throw invalid('unexpected multiple certificates present in signature certificate data');
  return blocks[0] as X509Certificate;
}

function parseIntermediates(pem: string | undefined): X509Certificate[] {
  if (pem === undefined || pem.length === 0) return [];
  // the chain ends with the root, which is trusted only when the policy says so
  return decodeCertificates(pem, 'certificate chain').slice(0, -1);
}

function decodeCertificates(pem: string, what: string): X509Certificate[] {
  try {
    return decodePemBlocks(pem).map((block) => parseCertificate(block.der));
  } catch (cause) {
    throw invalid(`parsing ${what}: ${(cause as Error).message}`, cause);
  }
}

function parseCertificate(der: Uint8Array): X509Certificate {
  const certificate = X509Certificate.parse(Buffer.from(der));
  // touch the fields used later so that a malformed structure fails here, not in the middle of a check
  void [certificate.subject, certificate.issuer, certificate.publicKey, certificate.notBefore, certificate.notAfter];
  void certificate.extensions.map(extensionFields);
  void basicConstraints(certificate);
  return certificate;
}

// Depth-first path building, as Go's Certificate.Verify: issuer name and signature match, each certificate
// valid at `time`, intermediates marked as CAs, every CA's path length limit respected, no unknown critical
// extension, code signing allowed throughout.
function buildChain(
  certificate: X509Certificate,
  intermediates: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  time: Date,
  chain: readonly X509Certificate[] = [],
): X509Certificate[] | undefined {
  if (!acceptable(certificate, time)) return undefined;
  const current = [...chain, certificate];
  if (current.length > MAX_CHAIN_LENGTH) return undefined;
  for (const root of roots) {
    if (issuedBy(certificate, root) && acceptable(root, time) && allowsPathBelow(root, current)) {
      return [...current, root];
    }
  }
  for (const intermediate of intermediates) {
    if (current.some((c) => c.equals(intermediate)) || !issuedBy(certificate, intermediate)) continue;
    if (!basicConstraints(intermediate).isCA || !allowsPathBelow(intermediate, current)) continue;
    const found = buildChain(intermediate, intermediates, roots, time, current);
    if (found !== undefined) return found;
  }
  return undefined;
}

// BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }, read as Go
// does: the limit counts even without cA. Not @sigstore/core's extBasicConstraints, which takes a lone
// pathLenConstraint for the cA boolean and fails.
function basicConstraints(certificate: X509Certificate): { isCA: boolean; maxPathLen: bigint | undefined } {
  const extension = certificate.extensions.map(extensionFields).find((e) => e.oid === OID_BASIC_CONSTRAINTS);
  if (extension === undefined) return { isCA: false, maxPathLen: undefined };
  const fields = [...ASN1Obj.parseBuffer(Buffer.from(extension.value)).subs];
  const isCA = fields[0]?.tag.isBoolean() === true ? (fields.shift() as ASN1Obj).toBoolean() : false;
  const maxPathLen = fields[0]?.tag.isInteger() === true ? fields[0].toInteger() : undefined;
  return { isCA, maxPathLen };
}

// Go's TooManyIntermediates: a CA's pathLenConstraint bounds the intermediates between it and the leaf
// (`below` is the leaf followed by those intermediates); roots are bound too.
function allowsPathBelow(ca: X509Certificate, below: readonly X509Certificate[]): boolean {
  const { maxPathLen } = basicConstraints(ca);
  return maxPathLen === undefined || maxPathLen < 0n || BigInt(below.length - 1) <= maxPathLen;
}

function issuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  if (!certificate.issuer.equals(issuer.subject)) return false;
  try {
    return certificate.verify(issuer);
  } catch {
    return false;
  }
}

function acceptable(certificate: X509Certificate, time: Date): boolean {
  if (!certificate.validForDate(time)) return false;
  for (const extension of certificate.extensions.map(extensionFields)) {
    if (extension.critical && !HANDLED_CRITICAL.has(extension.oid)) return false;
    if (extension.oid === OID_EXT_KEY_USAGE) {
      const usages = ASN1Obj.parseBuffer(Buffer.from(extension.value)).subs.map((sub) => sub.toOID());
      if (!usages.includes(OID_CODE_SIGNING) && !usages.includes(OID_ANY_EXT_KEY_USAGE)) return false;
    }
  }
  return true;
}

function oidcIssuer(certificate: X509Certificate): string {
  let v1: string | undefined;
  let v2: string | undefined;
  for (const extension of certificate.extensions.map(extensionFields)) {
    if (extension.oid === OID_ISSUER_V1) {
      if (v1 !== undefined) throw invalid('Fulcio certificate has a duplicate OIDC issuer v1 extension');
      v1 = extension.value.toString('utf8');
    } else if (extension.oid === OID_ISSUER_V2) {
      if (v2 !== undefined) throw invalid('Fulcio certificate has a duplicate OIDC issuer v2 extension');
      v2 = derString(extension.value);
    }
  }
  if (v1 !== undefined && v2 !== undefined && v1 !== v2) {
    throw invalid(`inconsistent OIDC issuer extension values: v1 ${JSON.stringify(v1)}, v2 ${JSON.stringify(v2)}`);
  }
  const issuer = v1 ?? v2;
  if (issuer === undefined) throw invalid('Fulcio certificate is missing the issuer extension');
  return issuer;
}

// UTF8String, PrintableString or IA5String, with nothing after it
function derString(value: Buffer): string {
  let parsed: ASN1Obj;
  try {
    parsed = ASN1Obj.parseBuffer(Buffer.from(value));
  } catch (cause) {
    throw invalid('invalid ASN.1 in OIDC issuer v2 extension', cause);
  }
  if (![0x0c, 0x13, 0x16].includes(parsed.tag.toDER())) throw invalid('invalid ASN.1 in OIDC issuer v2 extension');
  if (parsed.toDER().length !== value.length) throw invalid('invalid ASN.1 in OIDC issuer v2 extension, trailing data');
  return parsed.value.toString('utf8');
}

function emailAddresses(certificate: X509Certificate): string[] {
  const extension = certificate.extensions.map(extensionFields).find((e) => e.oid === OID_SUBJECT_ALT_NAME);
  if (extension === undefined) return [];
  try {
    // GeneralNames: rfc822Name is [1] IMPLICIT IA5String
    return ASN1Obj.parseBuffer(Buffer.from(extension.value))
      .subs.filter((name) => name.tag.isContextSpecific(1))
      .map((name) => name.value.toString('ascii'));
  } catch (cause) {
    throw invalid('invalid subject alternative name extension', cause);
  }
}

function extensionFields(extension: ASN1Obj): { oid: string; critical: boolean; value: Buffer } {
  const [first, second] = extension.subs;
  const last = extension.subs[extension.subs.length - 1];
  if (first === undefined || last === undefined || extension.subs.length > 3) throw new Error('malformed extension');
  return {
    oid: first.toOID(),
    critical: extension.subs.length === 3 && (second as ASN1Obj).toBoolean(),
    value: last.value,
  };
}

function invalid(message: string, cause?: unknown): ImageError {
  return new ImageError('ERR_SIGNATURE_INVALID', message, cause === undefined ? undefined : { cause });
}
