import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from './parse-policy.ts';

/** Wraps one requirement as the only entry of `default`. */
function withDefault(requirement: unknown): string {
  return JSON.stringify({ default: [requirement] });
}

function errorOf(text: string | Uint8Array): string {
  try {
    parsePolicy(text, { baseDir: '/base' });
  } catch (error) {
    if (isImageError(error, 'ERR_INVALID_POLICY')) return error.message;
    throw error;
  }
  throw new Error('parsePolicy accepted a malformed policy');
}

const SIGNED_BY = { type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k' };

describe('parsePolicy: malformed policies name the field path', () => {
  it.each<[string, string, string]>([
    ['not JSON', '{"default": [', 'policy: invalid JSON at line 1, column 14: unexpected end of input'],
    ['trailing data', '{"default":[{"type":"reject"}]} {}', 'unexpected data after the top-level value'],
    ['not an object', '[]', 'policy: must be a JSON object, not an array'],
    ['missing default', '{"transports":{}}', 'policy: default: required field missing'],
    ['unknown top-level field', '{"default":[{"type":"reject"}],"defaults":[]}', 'policy: defaults: unknown field'],
    [
      'duplicate top-level key',
      '{"default":[{"type":"reject"}],"default":[{"type":"insecureAcceptAnything"}]}',
      'policy: default: duplicate key',
    ],
    [
      'duplicate scope',
      '{"default":[{"type":"reject"}],"transports":{"docker":{"a.io":[{"type":"reject"}],"a.io":[{"type":"reject"}]}}}',
      'policy: transports.docker["a.io"]: duplicate key',
    ],
    ['empty default', '{"default":[]}', 'policy: default: the list of requirements must not be empty'],
    ['default not a list', '{"default":{"type":"reject"}}', 'policy: default: must be a JSON array, not an object'],
    ['null default', '{"default":null}', 'policy: default: must be a JSON array, not null'],
    [
      'empty scope list',
      '{"default":[{"type":"reject"}],"transports":{"docker":{"a.io":[]}}}',
      'policy: transports.docker["a.io"]: the list of requirements must not be empty',
    ],
    [
      'transport not an object',
      '{"default":[{"type":"reject"}],"transports":{"docker":[]}}',
      'policy: transports.docker: must be a JSON object, not an array',
    ],
    ['requirement not an object', '{"default":["reject"]}', 'policy: default[0]: must be a JSON object, not a string'],
    ['missing type', withDefault({}), 'policy: default[0].type: required field missing'],
    ['type not a string', withDefault({ type: 1 }), 'policy: default[0].type: must be a string, not a number'],
    ['unknown type', withDefault({ type: 'signedByAnyone' }), 'policy: default[0].type: unknown type "signedByAnyone"'],
    [
      'signedBaseLayer without its identity',
      withDefault({ type: 'signedBaseLayer' }),
      'policy: default[0].baseLayerIdentity: required field missing',
    ],
    [
      'extra field on reject',
      withDefault({ type: 'reject', keyPath: '/k' }),
      'policy: default[0].keyPath: unknown field',
    ],
    [
      'missing keyType',
      withDefault({ type: 'signedBy', keyPath: '/k' }),
      'policy: default[0].keyType: required field missing',
    ],
    [
      'X509 keyType without keys',
      withDefault({ type: 'signedBy', keyType: 'X509Certificates' }),
      'policy: default[0]: exactly one of keyPath, keyPaths and keyData must be set',
    ],
    [
      'unknown keyType',
      withDefault({ ...SIGNED_BY, keyType: 'PGP' }),
      'policy: default[0].keyType: unknown keyType "PGP"',
    ],
    [
      'no key source',
      withDefault({ type: 'signedBy', keyType: 'GPGKeys' }),
      'policy: default[0]: exactly one of keyPath, keyPaths and keyData must be set, none is',
    ],
    [
      'two key sources',
      withDefault({ ...SIGNED_BY, keyData: 'AAAA' }),
      'policy: default[0]: only one of keyPath, keyData may be set',
    ],
    [
      'keyDatas on signedBy',
      withDefault({ ...SIGNED_BY, keyDatas: ['AAAA'] }),
      'policy: default[0].keyDatas: unknown field',
    ],
    ['empty keyPath', withDefault({ ...SIGNED_BY, keyPath: '' }), 'policy: default[0].keyPath: must not be empty'],
    [
      'empty keyPaths',
      withDefault({ type: 'signedBy', keyType: 'GPGKeys', keyPaths: [] }),
      'policy: default[0].keyPaths: must not be empty',
    ],
    [
      'keyPaths entry not a string',
      withDefault({ type: 'signedBy', keyType: 'GPGKeys', keyPaths: ['/a', 3] }),
      'policy: default[0].keyPaths[1]: must be a string, not a number',
    ],
    [
      'bad base64',
      withDefault({ type: 'signedBy', keyType: 'GPGKeys', keyData: 'not base64!' }),
      'policy: default[0].keyData: not valid base64',
    ],
    [
      'unpadded base64',
      withDefault({ type: 'signedBy', keyType: 'GPGKeys', keyData: 'AAE' }),
      'policy: default[0].keyData: not valid base64',
    ],
    [
      'unknown signedIdentity type',
      withDefault({ ...SIGNED_BY, signedIdentity: { type: 'foo' } }),
      'policy: default[0].signedIdentity.type: unknown type "foo"',
    ],
    [
      'signedIdentity not an object',
      withDefault({ ...SIGNED_BY, signedIdentity: 'matchExact' }),
      'policy: default[0].signedIdentity: must be a JSON object, not a string',
    ],
    [
      'extra field on matchExact',
      withDefault({ ...SIGNED_BY, signedIdentity: { type: 'matchExact', dockerReference: 'a.io/b:c' } }),
      'policy: default[0].signedIdentity.dockerReference: unknown field',
    ],
    [
      'exactReference without reference',
      withDefault({ ...SIGNED_BY, signedIdentity: { type: 'exactReference' } }),
      'policy: default[0].signedIdentity.dockerReference: required field missing',
    ],
    [
      'exactReference name only',
      withDefault({ ...SIGNED_BY, signedIdentity: { type: 'exactReference', dockerReference: 'quay.io/app' } }),
      'policy: default[0].signedIdentity.dockerReference: "quay.io/app" has neither a tag nor a digest',
    ],
    [
      'exactReference invalid',
      withDefault({ ...SIGNED_BY, signedIdentity: { type: 'exactReference', dockerReference: 'quay.io/UPPER:1' } }),
      'policy: default[0].signedIdentity.dockerReference: invalid Docker reference "quay.io/UPPER:1"',
    ],
    [
      'exactRepository invalid',
      withDefault({ ...SIGNED_BY, signedIdentity: { type: 'exactRepository', dockerRepository: 'a b' } }),
      'policy: default[0].signedIdentity.dockerRepository: invalid Docker reference "a b"',
    ],
    [
      'remapIdentity with a tag',
      withDefault({
        ...SIGNED_BY,
        signedIdentity: { type: 'remapIdentity', prefix: 'a.io/x:tag', signedPrefix: 'b.io' },
      }),
      'policy: default[0].signedIdentity.prefix: prefix "a.io/x:tag" is not valid',
    ],
    [
      'remapIdentity missing signedPrefix',
      withDefault({ ...SIGNED_BY, signedIdentity: { type: 'remapIdentity', prefix: 'a.io' } }),
      'policy: default[0].signedIdentity.signedPrefix: required field missing',
    ],
    [
      'remapIdentity bad signedPrefix',
      withDefault({ ...SIGNED_BY, signedIdentity: { type: 'remapIdentity', prefix: 'a.io', signedPrefix: 'b.io/UP' } }),
      'policy: default[0].signedIdentity.signedPrefix: prefix "b.io/UP" is not valid',
    ],
    [
      'sigstore without keys',
      withDefault({ type: 'sigstoreSigned' }),
      'policy: default[0]: exactly one of keyPath, keyPaths, keyData, keyDatas and fulcio must be set, none is',
    ],
    [
      'sigstore with keys and fulcio',
      withDefault({
        type: 'sigstoreSigned',
        keyPath: '/k',
        fulcio: { caPath: '/ca', oidcIssuer: 'i', subjectEmail: 'e' },
        rekorPublicKeyPath: '/r',
      }),
      'must be set, more than one is',
    ],
    [
      'sigstore with two key sources',
      withDefault({ type: 'sigstoreSigned', keyPath: '/k', keyDatas: ['AAAA'] }),
      'policy: default[0]: only one of keyPath, keyDatas may be set',
    ],
    [
      'sigstore with two rekor sources',
      withDefault({ type: 'sigstoreSigned', keyPath: '/k', rekorPublicKeyPath: '/r', rekorPublicKeyData: 'AAAA' }),
      'policy: default[0]: only one of rekorPublicKeyPath, rekorPublicKeyData may be set',
    ],
    [
      'fulcio without rekor',
      withDefault({ type: 'sigstoreSigned', fulcio: { caData: 'AAAA', oidcIssuer: 'i', subjectEmail: 'e' } }),
      'policy: default[0]: fulcio needs one of rekorPublicKeyPath',
    ],
    [
      'fulcio without CA',
      withDefault({ type: 'sigstoreSigned', fulcio: { oidcIssuer: 'i', subjectEmail: 'e' }, rekorPublicKeyPath: '/r' }),
      'policy: default[0].fulcio: exactly one of caPath and caData must be set, none is',
    ],
    [
      'fulcio with two CAs',
      withDefault({
        type: 'sigstoreSigned',
        fulcio: { caPath: '/ca', caData: 'AAAA', oidcIssuer: 'i', subjectEmail: 'e' },
        rekorPublicKeyPath: '/r',
      }),
      'policy: default[0].fulcio: only one of caPath, caData may be set',
    ],
    [
      'fulcio without oidcIssuer',
      withDefault({ type: 'sigstoreSigned', fulcio: { caPath: '/ca', subjectEmail: 'e' }, rekorPublicKeyPath: '/r' }),
      'policy: default[0].fulcio.oidcIssuer: required field missing',
    ],
    [
      'fulcio with empty subjectEmail',
      withDefault({
        type: 'sigstoreSigned',
        fulcio: { caPath: '/ca', oidcIssuer: 'i', subjectEmail: '' },
        rekorPublicKeyPath: '/r',
      }),
      'policy: default[0].fulcio.subjectEmail: must not be empty',
    ],
    [
      'fulcio unknown field',
      withDefault({
        type: 'sigstoreSigned',
        fulcio: { caPath: '/ca', oidcIssuer: 'i', subjectEmail: 'e', subject: 'x' },
        rekorPublicKeyPath: '/r',
      }),
      'policy: default[0].fulcio.subject: unknown field',
    ],
    ['sigstore pki', withDefault({ type: 'sigstoreSigned', pki: {} }), 'policy: default[0].pki: not supported'],
    [
      'invalid docker scope deep inside',
      '{"default":[{"type":"reject"}],"transports":{"docker":{"example.com":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"foo"}}]}}}',
      'policy: transports.docker["example.com"][0].signedIdentity.type: unknown type "foo"',
    ],
    [
      'invalid dir scope',
      '{"default":[{"type":"reject"}],"transports":{"dir":{"relative/dir":[{"type":"reject"}]}}}',
      'policy: transports.dir["relative/dir"]: invalid dir scope: must be an absolute path',
    ],
  ])('%s', (_name, text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(errorOf(new Uint8Array([0x7b, 0xff, 0x7d]))).toBe('policy: not valid UTF-8');
  });
});
