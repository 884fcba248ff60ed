import { describe, expect, it } from 'vitest';
import { decodeSignature, encodeSignature, isImageError, type Signature } from './index.ts';

describe('signature storage format', () => {
  it('stores a simple-signing signature as its bytes', () => {
    const bytes = new Uint8Array([0xa3, 0x01, 0x02]);
    const encoded = encodeSignature({ kind: 'simple-signing', bytes });
    expect(encoded).toEqual(bytes);
    expect(decodeSignature(encoded)).toEqual({ kind: 'simple-signing', bytes });
  });

  it('stores a sigstore signature as 0x00 "sigstore-json\\n" + JSON with a base64 payload, as containers/image does', () => {
    const payload = new TextEncoder().encode('{"critical":{}}');
    const signature: Signature = {
      kind: 'sigstore',
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      payload,
      annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ==' },
    };
    const encoded = encodeSignature(signature);
    expect(encoded[0]).toBe(0);
    const text = new TextDecoder().decode(encoded.subarray(1));
    expect(text.startsWith('sigstore-json\n')).toBe(true);
    const json = JSON.parse(text.slice('sigstore-json\n'.length));
    expect(json).toEqual({
      mimeType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      payload: Buffer.from(payload).toString('base64'),
      annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ==' },
    });
    expect(decodeSignature(encoded)).toEqual(signature);
  });

  it('round-trips a large binary payload', () => {
    const payload = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
    const decoded = decodeSignature(encodeSignature({ kind: 'sigstore', mediaType: 'm', payload, annotations: {} }));
    expect(decoded.kind === 'sigstore' && decoded.payload).toEqual(payload);
  });

  it('reads the prefixed simple-signing form too', () => {
    const bytes = new Uint8Array([0, ...new TextEncoder().encode('simple-signing\n'), 0xa3, 0x01]);
    expect(decodeSignature(bytes)).toEqual({ kind: 'simple-signing', bytes: new Uint8Array([0xa3, 0x01]) });
  });

  const record = (text: string) => new Uint8Array([0, ...new TextEncoder().encode(text)]);
  it.each([
    ['empty', new Uint8Array()],
    ['no newline', record('sigstore-json')],
    ['unknown format', record('x509\n{}')],
    ['not JSON', record('sigstore-json\n{')],
    ['no mimeType', record('sigstore-json\n{"payload":""}')],
    ['payload not base64', record('sigstore-json\n{"mimeType":"m","payload":"@@"}')],
    ['annotation not a string', record('sigstore-json\n{"mimeType":"m","payload":"","annotations":{"a":1}}')],
  ])('refuses a malformed record (%s) with ERR_SIGNATURE_INVALID', (_why, bytes) => {
    expect(() => decodeSignature(bytes)).toThrow(expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID' }));
    try {
      decodeSignature(bytes);
    } catch (e) {
      expect(isImageError(e, 'ERR_SIGNATURE_INVALID')).toBe(true);
    }
  });
});
