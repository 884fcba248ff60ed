import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Reads a fixture from packages/manifest/fixtures. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url)));
}

/** Reads a fixture and parses it as JSON, for tests that mutate it. */
export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(fixture(name))) as Record<string, unknown>;
}

/** Encodes a value as JSON bytes. */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** sha256 of bytes or text, computed here independently of the code under test. */
export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A valid sha256 digest derived from a label. */
export function fakeDigest(label: string): string {
  return sha256(label);
}
