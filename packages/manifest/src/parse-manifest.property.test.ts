import { isImageError } from '@ferry/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DOCKER_V2_LIST_MEDIA_TYPE,
  DOCKER_V2S2_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPES,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  parseManifest,
} from './index.ts';
import { fixtureJson, jsonBytes } from './test-support/fixtures.ts';
import { imageManifestOk, listOk } from './test-support/oracle.ts';

type Json = unknown;

/** Every path (list of keys and indexes) inside a JSON value. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push(...paths(v, [...prefix, i]));
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

/** Returns a copy of `value` with the node at `path` replaced (or deleted when `replacement` is undefined). */
function mutate(value: Json, path: readonly (string | number)[], replacement: Json): Json {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && replacement === undefined) copy.splice(head as number, 1);
    else copy[head as number] = mutate(copy[head as number], rest, replacement);
    return copy;
  }
  const copy = { ...(value as Record<string, Json>) };
  if (rest.length === 0 && replacement === undefined) delete copy[head];
  else copy[head] = mutate(copy[head], rest, replacement);
  return copy;
}

const interesting = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(-1, 1.5, 2 ** 53, 0, '', 'sha256:abc', `sha512:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`),
  fc.constantFrom(OCI_MANIFEST_MEDIA_TYPE, DOCKER_V2S2_MEDIA_TYPE, 'application/vnd.oci.image.layer.v1.tar+zstd'),
  fc.constant(undefined),
);

function outcome(bytes: Uint8Array, mediaType: string | undefined): 'ok' | 'image-error' {
  try {
    parseManifest(bytes, mediaType);
    return 'ok';
  } catch (error) {
    if (!isImageError(error)) throw error;
    return 'image-error';
  }
}

describe('parser properties', () => {
  it('random JSON values only ever fail with ImageError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.option(fc.constantFrom(...MANIFEST_MEDIA_TYPES), { nil: undefined }), (v, mt) => {
        outcome(jsonBytes(v), mt);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes only ever fail with ImageError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        outcome(bytes, undefined);
      }),
    );
  });

  for (const file of ['docker-schema1-signed.json', 'docker-schema1-unsigned.json']) {
    it(`mutated ${file} only ever fails with ImageError`, () => {
      const base = fixtureJson(file);
      const allPaths = paths(base);
      fc.assert(
        fc.property(
          fc.constantFrom(...allPaths),
          interesting,
          fc.option(fc.constantFrom(...MANIFEST_MEDIA_TYPES), { nil: undefined }),
          (path, replacement, mt) => {
            outcome(jsonBytes(mutate(base, path, replacement) ?? null), mt);
          },
        ),
        { numRuns: 500 },
      );
    });
  }

  for (const [file, mediaType] of [
    ['oci-manifest.json', OCI_MANIFEST_MEDIA_TYPE],
    ['docker-schema2.json', DOCKER_V2S2_MEDIA_TYPE],
    ['docker-manifest-list.json', DOCKER_V2_LIST_MEDIA_TYPE],
    ['oci-index.json', OCI_INDEX_MEDIA_TYPE],
  ] as const) {
    const oracle = mediaType.includes('list') || mediaType.includes('index') ? listOk : imageManifestOk;
    it(`mutated ${file} is accepted only when the independent schema accepts it`, () => {
      const base = fixtureJson(file);
      const allPaths = paths(base);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.constantFrom(...allPaths), interesting), { minLength: 1, maxLength: 3 }),
          (edits) => {
            let doc: Json = base;
            for (const [path, replacement] of edits) {
              if (paths(doc).some((p) => p.join('\0') === path.join('\0'))) doc = mutate(doc, path, replacement);
            }
            const result = outcome(jsonBytes(doc ?? null), mediaType);
            expect(result).toBe(oracle(doc, mediaType) ? 'ok' : 'image-error');
          },
        ),
        { numRuns: 1000 },
      );
    });
  }
});
