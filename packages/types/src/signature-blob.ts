import { ImageError } from './errors.ts';
import type { Signature } from './signature.ts';

// containers/image's on-disk form (dir: signature-N, lookaside files): a simple-signing signature is its
// OpenPGP bytes as they are (an OpenPGP packet never starts with 0x00); any other kind is 0x00, the format
// name, a newline, then the data. For sigstore the name is "sigstore-json" and the data the JSON
// {"mimeType", "payload" (base64), "annotations"}. A reader also accepts "simple-signing" in that form.
const FORMAT_PREFIX = 0x00;
const SIGSTORE_FORMAT = 'sigstore-json';
const SIMPLE_SIGNING_FORMAT = 'simple-signing';

/**
 * Encodes a signature in containers/image's storage format, so that files Ferry writes are read by
 * skopeo and podman and the other way round.
 * @example
 * ```ts
 * await writeFile(join(dir, 'signature-1'), encodeSignature(signature));
 * ```
 */
export function encodeSignature(signature: Signature): Uint8Array {
  if (signature.kind === 'simple-signing') return signature.bytes;
  const json = JSON.stringify({
    mimeType: signature.mediaType,
    payload: toBase64(signature.payload),
    annotations: signature.annotations,
  });
  const body = new TextEncoder().encode(`${SIGSTORE_FORMAT}\n${json}`);
  const out = new Uint8Array(body.byteLength + 1);
  out[0] = FORMAT_PREFIX;
  out.set(body, 1);
  return out;
}

/**
 * Decodes a signature stored in containers/image's format.
 * @throws `ERR_SIGNATURE_INVALID` for an empty blob or a malformed sigstore record.
 * @example
 * ```ts
 * const signature = decodeSignature(await readFile(join(dir, 'signature-1')));
 * ```
 */
export function decodeSignature(bytes: Uint8Array): Signature {
  if (bytes.byteLength === 0) throw new ImageError('ERR_SIGNATURE_INVALID', 'empty signature');
  if (bytes[0] !== FORMAT_PREFIX) return { kind: 'simple-signing', bytes };
  const newline = bytes.indexOf(0x0a);
  if (newline === -1) throw new ImageError('ERR_SIGNATURE_INVALID', 'invalid signature format: missing newline');
  const format = new TextDecoder().decode(bytes.subarray(1, newline));
  const data = bytes.subarray(newline + 1);
  if (format === SIMPLE_SIGNING_FORMAT) return { kind: 'simple-signing', bytes: data };
  if (format !== SIGSTORE_FORMAT) {
    throw new ImageError(
      'ERR_SIGNATURE_INVALID',
      `unsupported signature format ${JSON.stringify(format.slice(0, 64))}`,
    );
  }
  let record: unknown;
  try {
    record = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (cause) {
    throw new ImageError('ERR_SIGNATURE_INVALID', 'sigstore signature record is not valid JSON', { cause });
  }
  const r = record as { mimeType?: unknown; payload?: unknown; annotations?: unknown };
  if (typeof record !== 'object' || record === null || typeof r.mimeType !== 'string') {
    throw new ImageError('ERR_SIGNATURE_INVALID', 'sigstore signature record lacks a string "mimeType"');
  }
  if (typeof r.payload !== 'string') {
    throw new ImageError('ERR_SIGNATURE_INVALID', 'sigstore signature record lacks a base64 "payload"');
  }
  const annotations = r.annotations ?? {};
  if (
    typeof annotations !== 'object' ||
    annotations === null ||
    Array.isArray(annotations) ||
    Object.values(annotations).some((v) => typeof v !== 'string')
  ) {
    throw new ImageError('ERR_SIGNATURE_INVALID', 'sigstore signature "annotations" must map strings to strings');
  }
  return {
    kind: 'sigstore',
    mediaType: r.mimeType,
    payload: fromBase64(r.payload),
    annotations: annotations as Record<string, string>,
  };
}

// btoa/atob work on "binary strings"; chunked so large payloads do not overflow the argument list
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.byteLength; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch (cause) {
    throw new ImageError('ERR_SIGNATURE_INVALID', 'sigstore signature "payload" is not base64', { cause });
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
