import { asObject, invalid, type JsonObject, jsonType } from './json-fields.ts';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes base64url without padding the way libtrust does: spaces and newlines are dropped, a length of
 * 1 modulo 4 is illegal, padding characters are not accepted.
 */
export function decodeJoseBase64Url(text: string, path: string): Uint8Array {
  const compact = text.replace(/[\n ]/g, '');
  if (!BASE64URL.test(compact) || compact.length % 4 === 1) invalid(path, 'not valid unpadded base64url');
  return new Uint8Array(Buffer.from(compact, 'base64url'));
}

/** Encodes bytes as unpadded base64url, as JWS does. */
export function encodeJoseBase64Url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}

interface FormatInfo {
  readonly formatLength: number;
  readonly formatTail: Uint8Array;
}

/**
 * The payload a signed schema 1 manifest's JWS signatures cover, which is also what its digest is computed
 * over: `bytes[0:formatLength]` followed by the base64url-decoded `formatTail`, both read from the protected
 * header of every signature (they must agree), as libtrust's `ParsePrettySignature` does.
 *
 * @throws {@link ImageError} `ERR_INVALID_MANIFEST` naming the signature field that is wrong.
 */
export function schema1SignedPayload(bytes: Uint8Array, root: JsonObject): Uint8Array {
  const signatures = root.signatures;
  if (!Array.isArray(signatures)) invalid('signatures', `expected an array, got ${jsonType(signatures)}`);
  // libtrust would digest an empty payload here; no real manifest looks like that, so refuse it
  if (signatures.length === 0) invalid('signatures', 'a signed manifest needs at least one signature');
  let format: FormatInfo | undefined;
  signatures.forEach((entry, i) => {
    const info = readFormat(entry, `signatures[${i}]`);
    if (format === undefined) {
      format = info;
      return;
    }
    if (info.formatLength !== format.formatLength) invalid(`signatures[${i}].protected`, 'conflicting formatLength');
    if (Buffer.compare(info.formatTail, format.formatTail) !== 0) {
      invalid(`signatures[${i}].protected`, 'conflicting formatTail');
    }
  });
  // signatures.length > 0, so format is set
  const { formatLength, formatTail } = format as FormatInfo;
  if (formatLength > bytes.byteLength) {
    invalid('signatures[0].protected', `formatLength ${formatLength} exceeds the manifest's ${bytes.byteLength} bytes`);
  }
  const payload = new Uint8Array(formatLength + formatTail.byteLength);
  payload.set(bytes.subarray(0, formatLength), 0);
  payload.set(formatTail, formatLength);
  return payload;
}

function readFormat(entry: unknown, path: string): FormatInfo {
  const sig = asObject(entry, path);
  if (typeof sig.protected !== 'string')
    invalid(`${path}.protected`, `expected a string, got ${jsonType(sig.protected)}`);
  if (sig.signature !== undefined && typeof sig.signature !== 'string') {
    invalid(`${path}.signature`, `expected a string, got ${jsonType(sig.signature)}`);
  }
  if (sig.header !== undefined && sig.header !== null) asObject(sig.header, `${path}.header`);
  const protectedPath = `${path}.protected`;
  const decoded = decodeJoseBase64Url(sig.protected, protectedPath);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(decoded));
  } catch (cause) {
    invalid(protectedPath, 'the protected header is not JSON', cause);
  }
  const fields = asObject(header, protectedPath);
  const { formatLength, formatTail } = fields;
  if (typeof formatLength !== 'number' || !Number.isSafeInteger(formatLength) || formatLength < 0) {
    invalid(`${protectedPath}.formatLength`, 'expected a non-negative integer');
  }
  if (typeof formatTail !== 'string') {
    invalid(`${protectedPath}.formatTail`, `expected a string, got ${jsonType(formatTail)}`);
  }
  return { formatLength, formatTail: decodeJoseBase64Url(formatTail, `${protectedPath}.formatTail`) };
}
