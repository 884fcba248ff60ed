import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { listCandidates, manifestCandidates } from './manifest-plan.ts';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const V2S2 = 'application/vnd.docker.distribution.manifest.v2+json';
const V2S1S = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
const V2S1 = 'application/vnd.docker.distribution.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const base = { forced: undefined, requiredCompression: undefined, cannotModifyReason: undefined } as const;

describe('manifestCandidates', () => {
  it('keeps the source type first, then v2s2, signed v2s1, then the rest', () => {
    expect(manifestCandidates({ ...base, sourceType: OCI, destinationTypes: [] })).toEqual([OCI, V2S2, V2S1S, V2S1]);
    expect(manifestCandidates({ ...base, sourceType: V2S2, destinationTypes: [OCI, INDEX] })).toEqual([OCI]);
    expect(manifestCandidates({ ...base, sourceType: OCI, destinationTypes: [V2S1S, V2S2] })).toEqual([V2S2, V2S1S]);
  });

  it('lets a forced type win and filters types that cannot hold zstd', () => {
    expect(manifestCandidates({ ...base, sourceType: OCI, destinationTypes: [OCI], forced: V2S2 })).toEqual([V2S2]);
    expect(
      manifestCandidates({ ...base, sourceType: V2S2, destinationTypes: [], requiredCompression: 'zstd' }),
    ).toEqual([OCI]);
    try {
      manifestCandidates({ ...base, sourceType: V2S2, destinationTypes: [V2S2], requiredCompression: 'zstd' });
      expect.unreachable();
    } catch (e) {
      expect(isImageError(e, 'ERR_MANIFEST_CONVERSION')).toBe(true);
    }
  });

  it('offers only the source type when the manifest cannot change', () => {
    expect(manifestCandidates({ ...base, sourceType: OCI, destinationTypes: [], cannotModifyReason: 'x' })).toEqual([
      OCI,
    ]);
  });
});

describe('listCandidates', () => {
  it('keeps the list type when accepted and maps a forced image type to its list type', () => {
    expect(listCandidates(INDEX, [], undefined)).toEqual([INDEX, LIST]);
    expect(listCandidates(INDEX, [], V2S2)).toEqual([LIST]);
    expect(listCandidates(LIST, [OCI, INDEX], undefined)).toEqual([INDEX]);
  });
});
