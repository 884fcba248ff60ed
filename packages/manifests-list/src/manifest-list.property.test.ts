import { DOCKER_V2S2_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE } from '@ferry/manifest';
import type { Digest } from '@ferry/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ListInstance } from './list-types.ts';
import { ManifestList } from './manifest-list.ts';

const word = fc.stringMatching(/^[a-z0-9][a-z0-9.&<>\u2028é-]{0,8}$/);
const strings = fc.array(word, { maxLength: 3 });
const platform = fc.record(
  { os: word, architecture: word, variant: word, osVersion: word, osFeatures: strings, features: strings },
  { requiredKeys: ['os', 'architecture'] },
);
const instance: fc.Arbitrary<ListInstance> = fc.record(
  {
    digest: fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}` as Digest),
    size: fc.nat(),
    mediaType: fc.constantFrom(OCI_MANIFEST_MEDIA_TYPE, DOCKER_V2S2_MEDIA_TYPE),
    platform,
    annotations: fc.dictionary(word, fc.string(), { maxKeys: 3 }),
    urls: strings,
  },
  { requiredKeys: ['digest', 'size', 'mediaType'] },
);

/** Builds a list from whatever instances do not collide. */
function listOf(instances: readonly ListInstance[]): ManifestList {
  let list = ManifestList.empty();
  for (const i of instances) {
    try {
      list = list.add(i);
    } catch {
      // a duplicate platform: leave it out
    }
  }
  return list;
}

function withoutFeatures(i: ListInstance): ListInstance {
  if (i.platform?.features === undefined) return i;
  const { features: _, ...platform } = i.platform;
  return { ...i, platform };
}

describe('ManifestList properties', () => {
  it('an OCI index parses back to the same value (features aside) and writes the same bytes', () => {
    fc.assert(
      fc.property(fc.array(instance, { maxLength: 5 }), (instances) => {
        const list = listOf(instances);
        const written = list.serialize('oci');
        const back = ManifestList.parse(written.bytes, written.mediaType);
        expect(back.instances).toEqual(list.instances.map(withoutFeatures));
        expect(back.serialize('oci').bytes).toEqual(written.bytes);
      }),
    );
  });

  it('a Docker list parses back to the same value whenever it can be written', () => {
    fc.assert(
      fc.property(fc.array(instance, { maxLength: 5 }), (instances) => {
        const list = listOf(instances.map(({ annotations: _, ...i }) => i));
        if (list.instances.some((i) => i.platform === undefined)) return;
        const written = list.serialize('v2s2');
        const back = ManifestList.parse(written.bytes, written.mediaType);
        expect(back.instances).toEqual(list.instances);
        expect(back.serialize('v2s2').digest).toBe(written.digest);
      }),
    );
  });
});
