import { createPublicKey, type KeyObject } from 'node:crypto';
import { pem } from '@sigstore/core';

/** One PEM block: its type line (`CERTIFICATE`, `PUBLIC KEY`, …) and its decoded bytes. */
export interface PemBlock {
  readonly type: string;
  readonly der: Uint8Array;
}

// Go's encoding/pem.Decode: text before the block is skipped, the END line must repeat the type, and
// everything after the END line's newline is the "rest" (c/image refuses a non-empty rest in places).
const BLOCK = /(?:^|\n)-----BEGIN ([^\n-]*)-----[ \t\r]*\n(?:([\s\S]*?)\n)?-----END \1-----[ \t\r]*(?:\n|$)/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Finds the first PEM block in `text`, as Go's `pem.Decode` does.
 * @returns the block and the text after it, or `undefined` when there is no well-formed block.
 */
export function decodePemBlock(text: string): { readonly block: PemBlock; readonly rest: string } | undefined {
  const match = BLOCK.exec(text);
  if (match === null) return undefined;
  const body = (match[2] ?? '').replace(/[ \t\r\n]/g, '');
  if (!BASE64.test(body) || body.length % 4 !== 0) return undefined;
  const type = match[1] as string;
  return {
    block: { type, der: new Uint8Array(Buffer.from(body, 'base64')) },
    rest: text.slice(match.index + match[0].length),
  };
}

/**
 * Every PEM block in `text`, as sigstore's `cryptoutils.UnmarshalCertificatesFromPEM` reads them: surrounding
 * white space is ignored, anything else that is not a block is an error.
 * @throws Error (plain: callers wrap it) when text remains that holds no block.
 */
export function decodePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let remaining = text.trim();
  while (remaining.length > 0) {
    const decoded = decodePemBlock(remaining);
    if (decoded === undefined) throw new Error('error during PEM decoding');
    blocks.push(decoded.block);
    remaining = decoded.rest.trim();
  }
  return blocks;
}

/**
 * Reads a PEM public key as sigstore's `cryptoutils.UnmarshalPEMToPublicKey` does: the first block must be a
 * `PUBLIC KEY` (SubjectPublicKeyInfo) or an `RSA PUBLIC KEY`/`PKCS1 PUBLIC KEY` (PKCS #1).
 * @throws Error (plain: callers wrap it) for anything else.
 */
export function parsePublicKeyPem(text: string): KeyObject {
  const decoded = decodePemBlock(text);
  if (decoded === undefined) throw new Error('PEM decoding failed');
  const { type, der } = decoded.block;
  const buffer = Buffer.from(der);
  if (type === 'PUBLIC KEY') return createPublicKey({ key: buffer, format: 'der', type: 'spki' });
  if (type === 'RSA PUBLIC KEY' || type === 'PKCS1 PUBLIC KEY') {
    return createPublicKey({ key: buffer, format: 'der', type: 'pkcs1' });
  }
  throw new Error(`unknown public key PEM file type ${JSON.stringify(type)}`);
}

/** Encodes `der` as a PEM block with 64-character lines and a final newline, as Go's `pem.EncodeToMemory`. */
export function encodePem(type: string, der: Uint8Array): string {
  return pem.fromDER(Buffer.from(der), type);
}
