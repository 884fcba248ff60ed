import { isImageError, parseDigest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { encodeSimpleSigningPayload, parseSimpleSigningPayload } from './simple-payload.ts';

const DIGEST = parseDigest(`sha256:${'0'.repeat(63)}1`);
const REF = 'docker.io/library/busybox:latest';
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function payloadText(changes: { critical?: string; optional?: string; top?: string } = {}): string {
  const critical =
    changes.critical ??
    `{"identity":{"docker-reference":"${REF}"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"atomic container signature"}`;
  return `{"critical":${critical},"optional":${changes.optional ?? '{}'}${changes.top ?? ''}}`;
}

function expectInvalid(text: string, message: RegExp): void {
  let caught: unknown;
  try {
    parseSimpleSigningPayload(bytes(text));
  } catch (error) {
    caught = error;
  }
  expect(isImageError(caught, 'ERR_SIGNATURE_INVALID')).toBe(true);
  expect((caught as Error).message).toMatch(message);
}

describe('encodeSimpleSigningPayload', () => {
  it('writes the exact bytes containers/image writes (sorted keys, compact)', () => {
    const text = new TextDecoder().decode(
      encodeSimpleSigningPayload({
        dockerReference: REF,
        manifestDigest: DIGEST,
        creator: 'ferry',
        timestamp: 1700000000,
      }),
    );
    expect(text).toBe(
      `{"critical":{"identity":{"docker-reference":"${REF}"},"image":{"docker-manifest-digest":"${DIGEST}"},` +
        `"type":"atomic container signature"},"optional":{"creator":"ferry","timestamp":1700000000}}`,
    );
  });

  it('always writes optional, empty when nothing optional is given', () => {
    const text = new TextDecoder().decode(encodeSimpleSigningPayload({ dockerReference: REF, manifestDigest: DIGEST }));
    expect(text).toBe(payloadText());
  });

  it('escapes HTML-sensitive characters as Go does', () => {
    const text = new TextDecoder().decode(
      encodeSimpleSigningPayload({ dockerReference: REF, manifestDigest: DIGEST, creator: '<a&b>\u2028' }),
    );
    expect(text).toContain('"creator":"\\u003ca\\u0026b\\u003e\\u2028"');
    expect(parseSimpleSigningPayload(bytes(text)).creator).toBe('<a&b>\u2028');
  });

  it('refuses an empty reference and a fractional timestamp', () => {
    expect(() => encodeSimpleSigningPayload({ dockerReference: '', manifestDigest: DIGEST })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => encodeSimpleSigningPayload({ dockerReference: REF, manifestDigest: DIGEST, timestamp: 1.5 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('parseSimpleSigningPayload', () => {
  it('round-trips every field', () => {
    const payload = { dockerReference: REF, manifestDigest: DIGEST, creator: 'atomic 2.0.0', timestamp: 1458239713 };
    expect(parseSimpleSigningPayload(encodeSimpleSigningPayload(payload))).toEqual(payload);
  });

  it('returns no optional fields when there are none', () => {
    expect(parseSimpleSigningPayload(bytes(payloadText()))).toEqual({ dockerReference: REF, manifestDigest: DIGEST });
  });

  it('tolerates unknown optional fields, as c/image does', () => {
    const parsed = parseSimpleSigningPayload(
      bytes(payloadText({ optional: '{"unknown":[1,{"x":null}],"creator":"c"}' })),
    );
    expect(parsed.creator).toBe('c');
  });

  it('accepts an integral timestamp written with a fraction or exponent, as Go does', () => {
    expect(parseSimpleSigningPayload(bytes(payloadText({ optional: '{"timestamp":1.0e3}' }))).timestamp).toBe(1000);
  });

  it.each([
    ['invalid JSON', '{', /not valid JSON/],
    ['trailing data', `${payloadText()} x`, /unexpected data/],
    ['a byte-order mark', `\ufeff${payloadText()}`, /not valid JSON/],
    ['an array', '[]', /the payload is an array/],
    ['an unknown top-level field', payloadText({ top: ',"extra":1' }), /unknown field "extra" in the payload/],
    ['a duplicated top-level field', payloadText({ top: ',"optional":{}' }), /duplicate key "optional"/],
    ['a missing optional', `{"critical":${JSON.stringify({})}}`, /unknown field|missing/],
    ['a missing critical', '{"optional":{}}', /field "critical" missing in the payload/],
    ['critical not an object', payloadText({ critical: '"x"' }), /critical is a string, not a JSON object/],
    [
      'an unknown critical field',
      payloadText({
        critical: `{"identity":{"docker-reference":"${REF}"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"atomic container signature","x":1}`,
      }),
      /unknown field "x" in critical/,
    ],
    [
      'a missing type',
      payloadText({
        critical: `{"identity":{"docker-reference":"${REF}"},"image":{"docker-manifest-digest":"${DIGEST}"}}`,
      }),
      /field "type" missing in critical/,
    ],
    [
      'a wrong type',
      payloadText({
        critical: `{"identity":{"docker-reference":"${REF}"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"}`,
      }),
      /unrecognized signature type "cosign container image signature"/,
    ],
    [
      'a non-string type',
      payloadText({
        critical: `{"identity":{"docker-reference":"${REF}"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":1}`,
      }),
      /critical.type is a number, not a string/,
    ],
    [
      'an invalid digest',
      payloadText({
        critical: `{"identity":{"docker-reference":"${REF}"},"image":{"docker-manifest-digest":"sha256:abc"},"type":"atomic container signature"}`,
      }),
      /invalid docker-manifest-digest "sha256:abc"/,
    ],
    [
      'an extra image field',
      payloadText({
        critical: `{"identity":{"docker-reference":"${REF}"},"image":{"docker-manifest-digest":"${DIGEST}","size":1},"type":"atomic container signature"}`,
      }),
      /unknown field "size" in critical.image/,
    ],
    [
      'a missing docker-reference',
      payloadText({
        critical: `{"identity":{},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"atomic container signature"}`,
      }),
      /field "docker-reference" missing in critical.identity/,
    ],
    [
      'a null docker-reference',
      payloadText({
        critical: `{"identity":{"docker-reference":null},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"atomic container signature"}`,
      }),
      /critical.identity.docker-reference is null, not a string/,
    ],
    [
      'a duplicated identity key',
      payloadText({
        critical: `{"identity":{"docker-reference":"a/b:c","docker-reference":"${REF}"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"atomic container signature"}`,
      }),
      /duplicate key "docker-reference"/,
    ],
    ['optional not an object', payloadText({ optional: '[]' }), /optional is an array, not a JSON object/],
    ['a non-string creator', payloadText({ optional: '{"creator":1}' }), /optional.creator is a number, not a string/],
    [
      'a fractional timestamp',
      payloadText({ optional: '{"timestamp":1.5}' }),
      /optional.timestamp 1.5 is not an integer/,
    ],
    [
      'a string timestamp',
      payloadText({ optional: '{"timestamp":"1"}' }),
      /optional.timestamp is a string, not a number/,
    ],
    ['a huge timestamp', payloadText({ optional: '{"timestamp":1e300}' }), /is not an integer/],
  ])('rejects %s', (_name, text, message) => {
    expectInvalid(text, message);
  });
});
