import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Digest, type NamedReference, parseDigest, type SigstoreSignature } from '@ferry/types';
import { json } from '@sigstore/core';
import {
  SIGSTORE_BUNDLE_ANNOTATION,
  SIGSTORE_CERTIFICATE_ANNOTATION,
  SIGSTORE_CHAIN_ANNOTATION,
  SIGSTORE_PAYLOAD_MEDIA_TYPE,
  SIGSTORE_SIGNATURE_ANNOTATION,
} from '../sigstore-annotations.ts';
import { encodeSigstorePayload } from '../sigstore-payload.ts';

/** A fresh key pair with the public half as PEM. */
export interface TestKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicPem: string;
}

/** Generates a P-256 (default), Ed25519 or RSA key pair. */
export function testKeys(kind: 'ec' | 'ed25519' | 'rsa' = 'ec'): TestKeys {
  const pair =
    kind === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : kind === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return { ...pair, publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

/** The SHA-256 digest of bytes, as a Digest. */
export function sha256Digest(bytes: Uint8Array): Digest {
  return parseDigest(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
}

/** A small image manifest and its digest. */
export function testManifest(seed = 'a'): { manifest: Uint8Array; digest: Digest } {
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        size: 2,
        digest: sha256Digest(new TextEncoder().encode(seed)),
      },
      layers: [],
    }),
  );
  return { manifest, digest: sha256Digest(manifest) };
}

/** A Fulcio-like PKI made with the openssl CLI: root → intermediate(s) → leaf (code signing, e-mail, OIDC issuer). */
export interface TestPki {
  readonly rootPem: string;
  /** The intermediate that issued the leaf. */
  readonly intermediatePem: string;
  readonly leafPem: string;
  /** The intermediates, leaf side first, then the root, as cosign writes the chain annotation. */
  readonly chainPem: string;
  readonly leafKey: KeyObject;
}

/** Options of {@link makeTestPki}. */
export interface TestPkiOptions {
  readonly email?: string;
  readonly issuer?: string;
  /** Which OIDC issuer extensions the leaf carries. */
  readonly issuerExtensions?: 'v1' | 'v2' | 'both' | 'none';
  /** Leaf extended key usage. */
  readonly extKeyUsage?: string;
  /**
   * The basicConstraints (and any other openssl extension lines) of each intermediate, root side first.
   * @default ['basicConstraints=critical,CA:TRUE']
   */
  readonly intermediates?: readonly string[];
  /** The root's pathLenConstraint; none by default. */
  readonly rootPathLen?: number;
}

/** Creates a root, intermediates (one by default) and a leaf valid from now for one day. */
export function makeTestPki(options: TestPkiOptions = {}): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-fulcio-'));
  try {
    const key = (name: string): KeyObject => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(join(dir, `${name}.key`), privateKey.export({ format: 'pem', type: 'pkcs8' }));
      return privateKey;
    };
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    key('root');
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      'root.key',
      '-subj',
      '/O=ferry-test/CN=root',
      '-days',
      '3650',
      '-addext',
      `basicConstraints=critical,CA:TRUE${options.rootPathLen === undefined ? '' : `,pathlen:${options.rootPathLen}`}`,
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      'root.pem',
    );
    const intermediates = (options.intermediates ?? ['basicConstraints=critical,CA:TRUE']).map((extensions, i) => {
      const name = `intermediate${i}`;
      key(name);
      writeFileSync(
        join(dir, `${name}.cnf`),
        `[v3]\n${extensions}\nkeyUsage=critical,keyCertSign\nextendedKeyUsage=codeSigning\n`,
      );
      issue(openssl, name, i === 0 ? 'root' : `intermediate${i - 1}`, `/O=ferry-test/CN=${name}`, 3650);
      return name;
    });
    const lowest = intermediates[intermediates.length - 1] ?? 'root';
    const leafKey = key('leaf');
    const issuer = options.issuer ?? 'https://oauth.example.com';
    const which = options.issuerExtensions ?? 'both';
    const lines = [
      '[v3]',
      'keyUsage=critical,digitalSignature',
      `extendedKeyUsage=${options.extKeyUsage ?? 'codeSigning'}`,
      `subjectAltName=critical,email:${options.email ?? 'signer@example.com'}`,
    ];
    if (which === 'v1' || which === 'both')
      lines.push(`1.3.6.1.4.1.57264.1.1=DER:${Buffer.from(issuer).toString('hex')}`);
    if (which === 'v2' || which === 'both') lines.push(`1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${issuer}`);
    writeFileSync(join(dir, 'leaf.cnf'), `${lines.join('\n')}\n`);
    issue(openssl, 'leaf', lowest, '/CN=leaf', 1);
    const read = (name: string) => readFileSync(join(dir, `${name}.pem`), 'utf8');
    return {
      rootPem: read('root'),
      intermediatePem: read(lowest),
      leafPem: read('leaf'),
      chainPem: [...intermediates].reverse().map(read).join('') + read('root'),
      leafKey,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function issue(openssl: (...args: string[]) => Buffer, name: string, ca: string, subject: string, days: number): void {
  openssl('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-set_serial',
    `0x${createHash('sha1')
      .update(name + Math.random())
      .digest('hex')
      .slice(0, 16)}`,
    '-days',
    String(days),
    '-extfile',
    `${name}.cnf`,
    '-extensions',
    'v3',
    '-out',
    `${name}.pem`,
  );
}

/** What {@link makeRekorSet} logs. */
export interface RekorSetOptions {
  readonly rekorKey: KeyObject;
  readonly keyOrCertificatePem: string;
  readonly base64Signature: string;
  readonly payload: Uint8Array;
  /** Seconds since the epoch. */
  readonly integratedTime: number;
  /** Changes the hashedrekord body before it is logged. */
  readonly editBody?: (body: Record<string, unknown>) => void;
}

/** Makes a cosign bundle annotation the way Rekor signs it: ECDSA over the canonical JSON of the payload. */
export function makeRekorSet(options: RekorSetOptions): string {
  const body: Record<string, unknown> = {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(options.payload).digest('hex') } },
      signature: {
        content: options.base64Signature,
        publicKey: { content: Buffer.from(options.keyOrCertificatePem).toString('base64') },
      },
    },
  };
  options.editBody?.(body);
  // deliberately not in canonical member order: the verifier must canonicalize
  const payload = {
    logIndex: 42,
    body: Buffer.from(JSON.stringify(body)).toString('base64'),
    logID: 'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d',
    integratedTime: options.integratedTime,
  };
  const signature = sign('sha256', Buffer.from(json.canonicalize(payload)), options.rekorKey);
  return JSON.stringify({ SignedEntryTimestamp: signature.toString('base64'), Payload: payload }, null, 1);
}

/** Signs a payload for `identity`/`digest` with `key`, as cosign would, with extra annotations. */
export function signPayload(
  key: KeyObject,
  identity: NamedReference | string,
  digest: Digest,
  annotations: Record<string, string> = {},
): SigstoreSignature {
  const payload = encodeSigstorePayload({ dockerReference: identity.toString(), manifestDigest: digest });
  const base64Signature = sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', payload, key).toString('base64');
  return {
    kind: 'sigstore',
    mediaType: SIGSTORE_PAYLOAD_MEDIA_TYPE,
    payload,
    annotations: { [SIGSTORE_SIGNATURE_ANNOTATION]: base64Signature, ...annotations },
  };
}

/** A Fulcio + Rekor signature: signed by the PKI's leaf, with certificate, chain and a SET at `integratedTime`. */
export function signWithFulcio(
  pki: TestPki,
  rekorKey: KeyObject,
  identity: string,
  digest: Digest,
  integratedTime: number = Math.floor(Date.now() / 1000),
): SigstoreSignature {
  const base = signPayload(pki.leafKey, identity, digest);
  const base64Signature = base.annotations[SIGSTORE_SIGNATURE_ANNOTATION] as string;
  const set = makeRekorSet({
    rekorKey,
    keyOrCertificatePem: pki.leafPem,
    base64Signature,
    payload: base.payload,
    integratedTime,
  });
  return {
    ...base,
    annotations: {
      ...base.annotations,
      [SIGSTORE_CERTIFICATE_ANNOTATION]: pki.leafPem,
      [SIGSTORE_CHAIN_ANNOTATION]: pki.chainPem,
      [SIGSTORE_BUNDLE_ANNOTATION]: set,
    },
  };
}
