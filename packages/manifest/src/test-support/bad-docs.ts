import { isImageError } from '@ferry/types';
import { expect } from 'vitest';
import { parseManifest } from '../index.ts';
import { fixtureJson, jsonBytes } from './fixtures.ts';

export type Doc = Record<string, unknown>;
export type Case = readonly [
  name: string,
  doc: Doc | Uint8Array,
  mediaType: string | undefined,
  code: string,
  message: RegExp,
];

export const s2 = (): Doc => fixtureJson('docker-schema2.json');
export const oci = (): Doc => fixtureJson('oci-manifest.json');
export const list = (): Doc => fixtureJson('docker-manifest-list.json');
export const index = (): Doc => fixtureJson('oci-index.json');
export const s1 = (): Doc => fixtureJson('docker-schema1-unsigned.json');

export function withLayer(doc: Doc, i: number, patch: Doc): Doc {
  const layers = [...(doc.layers as Doc[])];
  layers[i] = { ...layers[i], ...patch };
  return { ...doc, layers };
}
export function withoutLayerField(doc: Doc, i: number, field: string): Doc {
  const layers = [...(doc.layers as Doc[])];
  const { [field]: _, ...rest } = layers[i] as Doc;
  layers[i] = rest;
  return { ...doc, layers };
}
export function withEntry(doc: Doc, i: number, patch: Doc): Doc {
  const manifests = [...(doc.manifests as Doc[])];
  manifests[i] = { ...manifests[i], ...patch };
  return { ...doc, manifests };
}
export function withHistory(doc: Doc, i: number, patch: Doc): Doc {
  const history = [...(doc.history as { v1Compatibility: string }[])];
  const compat = JSON.parse((history[i] as { v1Compatibility: string }).v1Compatibility) as Doc;
  history[i] = { v1Compatibility: JSON.stringify({ ...compat, ...patch }) };
  return { ...doc, history };
}
export const hex64 = 'a'.repeat(64);
export const text = (t: string): Uint8Array => new TextEncoder().encode(t);

/** Parses a bad document and checks the error's class, code and message. */
export function expectRejected(
  doc: Doc | Uint8Array,
  mediaType: string | undefined,
  code: string,
  message: RegExp,
): void {
  const bytes = doc instanceof Uint8Array ? doc : jsonBytes(doc);
  let thrown: unknown;
  try {
    parseManifest(bytes, mediaType);
  } catch (error) {
    thrown = error;
  }
  expect(isImageError(thrown)).toBe(true);
  expect(thrown).toMatchObject({ code });
  expect((thrown as Error).message).toMatch(message);
}
