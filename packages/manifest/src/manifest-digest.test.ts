import { parseDigest } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { digestedPayload, manifestDigest, matchesDigest } from './index.ts';
import { fixture, fixtureJson, jsonBytes, sha256 } from './test-support/fixtures.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64url');

/** Builds a signed schema 1 document the way libtrust lays it out, with the given protected headers. */
function signWith(unsigned: string, headers: readonly object[]): Uint8Array {
  const formatLength = unsigned.lastIndexOf('\n}');
  const sigs = headers.map((h) => ({ header: { alg: 'ES256' }, signature: 'AAAA', protected: b64(JSON.stringify(h)) }));
  return new TextEncoder().encode(`${unsigned.slice(0, formatLength)},\n   "signatures": ${JSON.stringify(sigs)}\n}`);
}

describe('manifestDigest', () => {
  it('hashes plain manifests as they are', () => {
    const bytes = fixture('docker-schema2.json');
    expect(manifestDigest(bytes)).toBe(sha256(bytes));
    expect(manifestDigest(bytes, 'sha512')).toMatch(/^sha512:[0-9a-f]{128}$/);
  });

  it('strips the JWS signatures of signed schema 1 (payload = bytes[0:formatLength] + formatTail)', () => {
    const signed = fixture('docker-schema1-signed.json');
    const unsigned = fixture('docker-schema1-unsigned.json');
    // independent value: the fixture's unsigned form, hashed with node:crypto
    expect(manifestDigest(signed)).toBe(sha256(unsigned));
    expect(manifestDigest(signed)).not.toBe(sha256(signed));
    expect(Buffer.from(digestedPayload(signed)).equals(Buffer.from(unsigned))).toBe(true);
  });

  it('uses a formatTail that differs from the stripped bytes', () => {
    const unsigned = new TextDecoder().decode(fixture('docker-schema1-unsigned.json'));
    const formatLength = unsigned.lastIndexOf('\n}');
    const tail = '\n  }';
    const signed = signWith(unsigned, [{ formatLength, formatTail: b64(tail) }]);
    expect(manifestDigest(signed)).toBe(sha256(unsigned.slice(0, formatLength) + tail));
  });

  it('accepts several signatures that agree, refuses ones that conflict', () => {
    const unsigned = new TextDecoder().decode(fixture('docker-schema1-unsigned.json'));
    const formatLength = unsigned.lastIndexOf('\n}');
    const h = { formatLength, formatTail: b64('\n}') };
    expect(manifestDigest(signWith(unsigned, [h, h]))).toBe(sha256(unsigned));
    expect(() => manifestDigest(signWith(unsigned, [h, { ...h, formatLength: formatLength - 1 }]))).toThrow(
      /signatures\[1\]\.protected: conflicting formatLength/,
    );
    expect(() => manifestDigest(signWith(unsigned, [h, { ...h, formatTail: b64('}') }]))).toThrow(
      /conflicting formatTail/,
    );
  });

  it('refuses malformed signature headers with ERR_INVALID_MANIFEST', () => {
    const unsigned = new TextDecoder().decode(fixture('docker-schema1-unsigned.json'));
    const cases: [object, RegExp][] = [
      [{ formatTail: b64('\n}') }, /formatLength: expected a non-negative integer/],
      [{ formatLength: -1, formatTail: b64('\n}') }, /formatLength/],
      [{ formatLength: 1.5, formatTail: b64('\n}') }, /formatLength/],
      [{ formatLength: 10 }, /formatTail: expected a string/],
      [{ formatLength: 10, formatTail: '***' }, /formatTail: not valid unpadded base64url/],
      [{ formatLength: 10 ** 9, formatTail: b64('\n}') }, /exceeds/],
    ];
    for (const [header, message] of cases) {
      expect(() => manifestDigest(signWith(unsigned, [header]))).toThrow(message);
    }
    const doc = fixtureJson('docker-schema1-unsigned.json');
    for (const signatures of [[], [{ protected: 'not base64!' }], [{}], 'x', [{ protected: b64('not json') }]]) {
      expect(() => manifestDigest(jsonBytes({ ...doc, signatures }))).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_MANIFEST', message: expect.stringMatching(/^signatures/) }),
      );
    }
  });

  it('treats "signatures": null as unsigned', () => {
    const bytes = jsonBytes({ ...fixtureJson('docker-schema1-unsigned.json'), signatures: null });
    expect(manifestDigest(bytes)).toBe(sha256(bytes));
  });
});

describe('matchesDigest', () => {
  it('compares with the expected digest algorithm', () => {
    const bytes = fixture('oci-index.json');
    expect(matchesDigest(bytes, parseDigest(sha256(bytes)))).toBe(true);
    expect(matchesDigest(bytes, manifestDigest(bytes, 'sha512'))).toBe(true);
    expect(matchesDigest(bytes, parseDigest(sha256('other')))).toBe(false);
    const signed = fixture('docker-schema1-signed.json');
    expect(matchesDigest(signed, parseDigest(sha256(fixture('docker-schema1-unsigned.json'))))).toBe(true);
    expect(matchesDigest(signed, parseDigest(sha256(signed)))).toBe(false);
  });
});
