import { describe, expect, it } from 'vitest';
import { parsePolicy } from './parse-policy.ts';

// containers-policy.json(5), "A reasonably locked-down system", without its comments
const LOCKED_DOWN = `{
  "default": [{"type": "reject"}],
  "transports": {
    "docker": {
      "docker.io/openshift": [{"type": "insecureAcceptAnything"}],
      "docker.io/library/busybox": [{"type": "insecureAcceptAnything"}],
      "*.temporary-project.example.com": [{"type": "insecureAcceptAnything"}],
      "hostname:5000/myns/sigstore-signed-with-full-references": [
        {"type": "sigstoreSigned", "keyPath": "/path/to/sigstore-pubkey.pub"}
      ],
      "hostname:5000/myns/sigstore-signed-allows-malicious-tag-substitution": [
        {"type": "sigstoreSigned", "keyPath": "/path/to/sigstore-pubkey.pub", "signedIdentity": {"type": "matchRepository"}}
      ]
    },
    "dir": {"": [{"type": "insecureAcceptAnything"}]},
    "atomic": {
      "hostname:5000/myns/official": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/path/to/official-pubkey.gpg"}],
      "hostname:5000/vendor/product": [
        {"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/path/to/vendor-pubkey.gpg",
         "signedIdentity": {"type": "exactRepository", "dockerRepository": "vendor-hostname/product/repository"}},
        {"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/path/to/reviewer-pubkey.gpg"}
      ],
      "private-mirror:5000/vendor-mirror": [
        {"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/path/to/vendor-pubkey.gpg",
         "signedIdentity": {"type": "remapIdentity", "prefix": "private-mirror:5000/vendor-mirror", "signedPrefix": "vendor.example.com"}}
      ]
    }
  }
}`;

/** Wraps one requirement as the only entry of `default`. */
function withDefault(requirement: unknown): string {
  return JSON.stringify({ default: [requirement] });
}

describe('parsePolicy: valid policies', () => {
  it('parses the locked-down example of containers-policy.json(5)', () => {
    const policy = parsePolicy(LOCKED_DOWN);
    expect(policy.default).toEqual([{ type: 'reject' }]);
    expect([...(policy.transports.get('docker')?.keys() ?? [])]).toHaveLength(5);
    expect(policy.transports.get('docker')?.get('hostname:5000/myns/sigstore-signed-with-full-references')).toEqual([
      {
        type: 'sigstoreSigned',
        keys: { kind: 'path', path: '/path/to/sigstore-pubkey.pub' },
        signedIdentity: { type: 'matchRepoDigestOrExact' },
      },
    ]);
    expect(policy.transports.get('atomic')?.get('private-mirror:5000/vendor-mirror')?.[0]).toEqual({
      type: 'signedBy',
      keyType: 'GPGKeys',
      keys: { kind: 'path', path: '/path/to/vendor-pubkey.gpg' },
      signedIdentity: {
        type: 'remapIdentity',
        prefix: 'private-mirror:5000/vendor-mirror',
        signedPrefix: 'vendor.example.com',
      },
    });
    expect(policy.transports.get('dir')?.get('')).toEqual([{ type: 'insecureAcceptAnything' }]);
  });

  it('parses the insecure example, from bytes too', () => {
    const bytes = new TextEncoder().encode('{"default": [{"type": "insecureAcceptAnything"}]}');
    expect(parsePolicy(bytes)).toEqual({ default: [{ type: 'insecureAcceptAnything' }], transports: new Map() });
  });

  it('defaults signedIdentity to matchRepoDigestOrExact and resolves relative key paths against baseDir', () => {
    const policy = parsePolicy(
      withDefault({ type: 'signedBy', keyType: 'GPGKeys', keyPaths: ['keys/a.gpg', '/abs/b.gpg', '../c.gpg'] }),
      { baseDir: '/etc/containers' },
    );
    expect(policy.default[0]).toEqual({
      type: 'signedBy',
      keyType: 'GPGKeys',
      keys: { kind: 'paths', paths: ['/etc/containers/keys/a.gpg', '/abs/b.gpg', '/etc/c.gpg'] },
      signedIdentity: { type: 'matchRepoDigestOrExact' },
    });
  });

  it('resolves relative key paths against the working directory by default, as c/image', () => {
    const policy = parsePolicy(withDefault({ type: 'signedBy', keyType: 'GPGKeys', keyPath: 'k.gpg' }));
    expect(policy.default[0]).toMatchObject({ keys: { kind: 'path', path: `${process.cwd()}/k.gpg` } });
  });

  it('decodes keyData and keyDatas as base64 (line breaks allowed, as in Go)', () => {
    const policy = parsePolicy(
      JSON.stringify({
        default: [
          { type: 'signedBy', keyType: 'GPGKeys', keyData: 'aGVs\nbG8=' },
          { type: 'sigstoreSigned', keyDatas: ['AAE=', 'Ag=='], rekorPublicKeyData: 'cmVrb3I=' },
        ],
      }),
    );
    expect(policy.default[0]).toMatchObject({ keys: { kind: 'data', data: new TextEncoder().encode('hello') } });
    expect(policy.default[1]).toEqual({
      type: 'sigstoreSigned',
      keys: { kind: 'datas', datas: [new Uint8Array([0, 1]), new Uint8Array([2])] },
      rekorPublicKeys: { kind: 'data', data: new TextEncoder().encode('rekor') },
      signedIdentity: { type: 'matchRepoDigestOrExact' },
    });
  });

  it('parses fulcio trust with its rekor keys', () => {
    const policy = parsePolicy(
      withDefault({
        type: 'sigstoreSigned',
        fulcio: { caPath: 'fulcio.pem', oidcIssuer: 'https://github.com/login/oauth', subjectEmail: 'a@example.com' },
        rekorPublicKeyPaths: ['/r1.pub', 'r2.pub'],
        signedIdentity: { type: 'exactReference', dockerReference: 'quay.io/org/app:v1' },
      }),
      { baseDir: '/pki' },
    );
    expect(policy.default[0]).toEqual({
      type: 'sigstoreSigned',
      fulcio: {
        ca: { kind: 'path', path: '/pki/fulcio.pem' },
        oidcIssuer: 'https://github.com/login/oauth',
        subjectEmail: 'a@example.com',
      },
      rekorPublicKeys: { kind: 'paths', paths: ['/r1.pub', '/pki/r2.pub'] },
      signedIdentity: { type: 'exactReference', dockerReference: 'quay.io/org/app:v1' },
    });
  });

  it('keeps scopes of transports it does not know, unvalidated', () => {
    const policy = parsePolicy(
      '{"default":[{"type":"reject"}],"transports":{"containers-storage":{"[overlay@/x]any thing":[{"type":"reject"}]}}}',
    );
    expect(policy.transports.get('containers-storage')?.get('[overlay@/x]any thing')).toEqual([{ type: 'reject' }]);
  });

  it.each([
    ['matchExact', { type: 'matchExact' }],
    ['matchRepository', { type: 'matchRepository' }],
    ['exactReference with a digest', { type: 'exactReference', dockerReference: `busybox@sha256:${'a'.repeat(64)}` }],
    ['exactRepository', { type: 'exactRepository', dockerRepository: 'busybox' }],
    ['remapIdentity to a host', { type: 'remapIdentity', prefix: 'mirror.local:5000', signedPrefix: 'docker.io' }],
  ])('accepts signedIdentity %s', (_name, signedIdentity) => {
    const policy = parsePolicy(withDefault({ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k', signedIdentity }));
    expect(policy.default[0]).toMatchObject({ signedIdentity });
  });
});
