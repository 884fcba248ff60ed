import { parseDigest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { encodeSigstorePayload, parseSigstorePayload } from './sigstore-payload.ts';

const digest = parseDigest(`sha256:${'ab'.repeat(32)}`);
const enc = (text: string) => new TextEncoder().encode(text);
const valid = (critical: string, optional = '{}') => `{"critical":${critical},"optional":${optional}}`;
const critical = (type = '"cosign container image signature"', image = `{"docker-manifest-digest":"${digest}"}`) =>
  `{"identity":{"docker-reference":"quay.io/a/b:v1"},"image":${image},"type":${type}}`;

describe('sigstore payload', () => {
  it("encodes byte for byte as containers/image's json.Marshal (sorted keys, HTML escaped)", () => {
    const bytes = encodeSigstorePayload({
      dockerReference: 'quay.io/a/b:v1',
      manifestDigest: digest,
      creator: 'x<&>',
      timestamp: 1700000000,
    });
    expect(new TextDecoder().decode(bytes)).toBe(
      `{"critical":{"identity":{"docker-reference":"quay.io/a/b:v1"},"image":{"docker-manifest-digest":"${digest}"},` +
        `"type":"cosign container image signature"},"optional":{"creator":"x\\u003c\\u0026\\u003e","timestamp":1700000000}}`,
    );
    expect(parseSigstorePayload(bytes)).toEqual({
      dockerReference: 'quay.io/a/b:v1',
      manifestDigest: digest,
      creator: 'x<&>',
      timestamp: 1700000000,
    });
  });

  it('writes an empty optional object without creator and timestamp', () => {
    const bytes = encodeSigstorePayload({ dockerReference: 'quay.io/a/b:v1', manifestDigest: digest });
    expect(new TextDecoder().decode(bytes).endsWith('"optional":{}}')).toBe(true);
    expect(parseSigstorePayload(bytes)).toEqual({ dockerReference: 'quay.io/a/b:v1', manifestDigest: digest });
  });

  it('refuses to encode an empty reference or a fractional timestamp', () => {
    expect(() => encodeSigstorePayload({ dockerReference: '', manifestDigest: digest })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => encodeSigstorePayload({ dockerReference: 'a/b:c', manifestDigest: digest, timestamp: 1.5 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  it('accepts "optional": null (cosign writes it) and unknown optional members', () => {
    expect(parseSigstorePayload(enc(valid(critical(), 'null')))).toEqual({
      dockerReference: 'quay.io/a/b:v1',
      manifestDigest: digest,
    });
    expect(parseSigstorePayload(enc(valid(critical(), '{"annotation":[1,{}],"timestamp":5}'))).timestamp).toBe(5);
  });

  it.each([
    ['not JSON', '{'],
    ['not UTF-8', '\uFFFF'],
    ['a byte-order mark', `\ufeff${valid(critical())}`],
    ['an array', '[]'],
    ['trailing data', `${valid(critical())} x`],
    ['a duplicate key', `{"critical":${critical()},"critical":${critical()},"optional":{}}`],
    ['an unknown top-level key', `{"critical":${critical()},"optional":{},"extra":1}`],
    ['no optional', `{"critical":${critical()}}`],
    ['critical null', valid('null')],
    ['another type', valid(critical('"atomic container signature"'))],
    ['a non-string type', valid(critical('1'))],
    ['an invalid digest', valid(critical(undefined, '{"docker-manifest-digest":"sha256:xyz"}'))],
    ['an extra image key', valid(critical(undefined, `{"docker-manifest-digest":"${digest}","x":1}`))],
    [
      'no identity',
      valid(`{"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"}`),
    ],
    ['a non-string reference', valid(critical().replace('"quay.io/a/b:v1"', '3'))],
    ['a fractional timestamp', valid(critical(), '{"timestamp":1.5}')],
    ['a string timestamp', valid(critical(), '{"timestamp":"1"}')],
    ['a non-string creator', valid(critical(), '{"creator":1}')],
    ['an optional array', valid(critical(), '[]')],
    ['a duplicate optional key', valid(critical(), '{"creator":"a","creator":"b"}')],
  ])('refuses a payload with %s (ERR_SIGNATURE_INVALID)', (_why, text) => {
    const bytes = _why === 'not UTF-8' ? new Uint8Array([0xff, 0xfe]) : enc(text);
    expect(() => parseSigstorePayload(bytes)).toThrow(expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID' }));
  });
});
