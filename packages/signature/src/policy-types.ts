/**
 * A parsed, validated `policy.json` (containers-policy.json(5)). Produced only by `parsePolicy`, so every
 * value here has passed validation: key sources are non-empty, scopes are valid for their transport.
 */
export interface Policy {
  /** Requirements for images no transport scope matches. Never empty. */
  readonly default: readonly PolicyRequirement[];
  /** Transport name → scope (`""` is the transport-wide default) → requirements (never empty). */
  readonly transports: ReadonlyMap<string, ReadonlyMap<string, readonly PolicyRequirement[]>>;
}

/** One requirement; an image is accepted when every requirement of its scope accepts it. */
export type PolicyRequirement =
  | { readonly type: 'insecureAcceptAnything' }
  | { readonly type: 'reject' }
  | SignedByRequirement
  | SigstoreSignedRequirement
  | UnimplementedRequirement;

/**
 * A requirement containers/image parses but never implemented (`signedBaseLayer`, `signedBy` with an X.509 or
 * `signedByGPGKeys` key type): as there, the policy loads and the requirement rejects every image.
 */
export interface UnimplementedRequirement {
  readonly type: 'unimplemented';
  /** What it was, e.g. `signedBaseLayer` or `signedBy with keyType "X509Certificates"`. */
  readonly what: string;
}

/** Where key material comes from: exactly one of a file, several files, or inline bytes. */
export type KeySource =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'paths'; readonly paths: readonly string[] }
  | { readonly kind: 'data'; readonly data: Uint8Array }
  | { readonly kind: 'datas'; readonly datas: readonly Uint8Array[] };

/** `signedBy`: at least one simple-signing signature made by one of the keys, for this manifest and identity. */
export interface SignedByRequirement {
  readonly type: 'signedBy';
  /** Only `GPGKeys` is implemented (as in containers/image); others are refused at parse time. */
  readonly keyType: 'GPGKeys';
  readonly keys: KeySource;
  readonly signedIdentity: SignedIdentity;
}

/** `fulcio` trust: certificates issued by this CA to this OIDC issuer and e-mail. */
export interface FulcioTrust {
  /** PEM CA certificate(s). */
  readonly ca: KeySource;
  readonly oidcIssuer: string;
  readonly subjectEmail: string;
}

/** `sigstoreSigned`: at least one sigstore signature verified by a public key or a Fulcio certificate. */
export interface SigstoreSignedRequirement {
  readonly type: 'sigstoreSigned';
  /** Public keys (PEM); exactly one of `keys` and `fulcio` is set. */
  readonly keys?: KeySource;
  readonly fulcio?: FulcioTrust;
  /** Rekor public keys (PEM); required with `fulcio`, optional with `keys`. */
  readonly rekorPublicKeys?: KeySource;
  readonly signedIdentity: SignedIdentity;
}

/** `signedIdentity`: how the identity claimed by a signature must relate to the image's reference. */
export type SignedIdentity =
  | { readonly type: 'matchExact' }
  | { readonly type: 'matchRepoDigestOrExact' }
  | { readonly type: 'matchRepository' }
  | { readonly type: 'exactReference'; readonly dockerReference: string }
  | { readonly type: 'exactRepository'; readonly dockerRepository: string }
  | { readonly type: 'remapIdentity'; readonly prefix: string; readonly signedPrefix: string };
