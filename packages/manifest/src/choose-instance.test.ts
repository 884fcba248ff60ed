import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import {
  chooseInstance,
  listInstances,
  type ManifestList,
  normalizePlatform,
  parseManifest,
  platformFromNode,
  systemPlatform,
} from './index.ts';
import { fixture, fixtureJson, jsonBytes, sha256 } from './test-support/fixtures.ts';

const dockerList = parseManifest(fixture('docker-manifest-list.json')) as ManifestList;
const ociIndex = parseManifest(fixture('oci-index.json')) as ManifestList;

function listOf(platforms: readonly (Record<string, string> | undefined)[]): ManifestList {
  const doc = fixtureJson('oci-index.json');
  doc.manifests = platforms.map((platform, i) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: 1,
    digest: sha256(`entry-${i}`),
    ...(platform === undefined ? {} : { platform }),
  }));
  return parseManifest(jsonBytes(doc)) as ManifestList;
}

describe('normalizePlatform', () => {
  it.each([
    [
      { os: 'Linux', architecture: 'x86_64' },
      { os: 'linux', architecture: 'amd64' },
    ],
    [
      { os: 'linux', architecture: 'amd64', variant: 'v1' },
      { os: 'linux', architecture: 'amd64' },
    ],
    [
      { os: 'linux', architecture: 'aarch64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ],
    [
      { os: 'linux', architecture: 'arm64', variant: '9.0' },
      { os: 'linux', architecture: 'arm64', variant: 'v9' },
    ],
    [
      { os: 'linux', architecture: 'arm' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ],
    [
      { os: 'linux', architecture: 'arm', variant: '6' },
      { os: 'linux', architecture: 'arm', variant: 'v6' },
    ],
    [
      { os: 'linux', architecture: 'armhf' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ],
    [
      { os: 'linux', architecture: 'armel' },
      { os: 'linux', architecture: 'arm', variant: 'v6' },
    ],
    [
      { os: 'linux', architecture: 'i386' },
      { os: 'linux', architecture: '386' },
    ],
    [
      { os: 'macOS', architecture: 'arm64' },
      { os: 'darwin', architecture: 'arm64', variant: 'v8' },
    ],
  ])('%o → %o', (input, expected) => {
    expect(normalizePlatform(input)).toEqual(expected);
  });
});

describe('chooseInstance', () => {
  it('picks by os and normalized architecture', () => {
    expect(chooseInstance(dockerList, { os: 'linux', architecture: 'x86_64' }).digest).toBe(sha256('m-amd64'));
    expect(chooseInstance(dockerList, { os: 'windows', architecture: 'amd64' }).digest).toBe(sha256('m-win'));
    expect(chooseInstance(dockerList, { os: 'linux', architecture: 'aarch64' }).digest).toBe(sha256('m-arm64'));
  });

  it('defaults arm to v7 and arm64 to v8, and lets an entry without variant match', () => {
    expect(chooseInstance(dockerList, { os: 'linux', architecture: 'arm' }).digest).toBe(sha256('m-armv7'));
    // the index's arm64 entry has no variant
    expect(chooseInstance(ociIndex, { os: 'linux', architecture: 'arm64', variant: 'v8' }).digest).toBe(
      sha256('i-arm64'),
    );
  });

  it('falls back to older arm variants, best first', () => {
    expect(chooseInstance(dockerList, { os: 'linux', architecture: 'arm', variant: 'v8' }).digest).toBe(
      sha256('m-armv7'),
    );
    expect(chooseInstance(dockerList, { os: 'linux', architecture: 'arm', variant: 'v6' }).digest).toBe(
      sha256('m-armv6'),
    );
    const list = listOf([
      { os: 'linux', architecture: 'arm' },
      { os: 'linux', architecture: 'arm', variant: 'v5' },
    ]);
    // wanted v6: the v5 entry is compatible; the variant-less one (normalized v7) only as a last resort
    expect(chooseInstance(list, { os: 'linux', architecture: 'arm', variant: 'v6' }).digest).toBe(sha256('entry-1'));
  });

  it('prefers an exact variant over a variant-less entry, and list order on ties', () => {
    const list = listOf([
      undefined,
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'amd64', variant: 'v3' },
      { os: 'linux', architecture: 'amd64', variant: 'v2' },
    ]);
    expect(chooseInstance(list, { os: 'linux', architecture: 'amd64', variant: 'v3' }).digest).toBe(sha256('entry-2'));
    expect(chooseInstance(list, { os: 'linux', architecture: 'amd64', variant: 'v2' }).digest).toBe(sha256('entry-3'));
    expect(chooseInstance(list, { os: 'linux', architecture: 'amd64' }).digest).toBe(sha256('entry-1'));
  });

  it('does not give a 32-bit arm image to arm64', () => {
    const list = listOf([{ os: 'linux', architecture: 'arm', variant: 'v7' }]);
    expect(() => chooseInstance(list, { os: 'linux', architecture: 'arm64' })).toThrow(
      expect.objectContaining({ code: 'ERR_NO_MATCHING_PLATFORM' }),
    );
  });

  it('names the wanted and available platforms when nothing matches', () => {
    let error: unknown;
    try {
      chooseInstance(dockerList, { os: 'linux', architecture: 's390x' });
    } catch (e) {
      error = e;
    }
    expect(isImageError(error, 'ERR_NO_MATCHING_PLATFORM')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('linux/s390x');
    expect(message).toContain('linux/arm/v6');
    expect(message).toContain('windows/amd64');
  });

  it('fills missing members from the running system', () => {
    const system = systemPlatform();
    const list = listOf([
      { os: system.os, architecture: system.architecture, ...(system.variant ? { variant: system.variant } : {}) },
    ]);
    expect(chooseInstance(list).digest).toBe(sha256('entry-0'));
  });

  it('lists instances in order', () => {
    expect(listInstances(ociIndex).map((i) => i.platform?.architecture)).toEqual([
      'amd64',
      'arm64',
      's390x',
      'unknown',
    ]);
  });
});

describe('platformFromNode', () => {
  it.each([
    ['linux', 'x64', undefined, { os: 'linux', architecture: 'amd64' }],
    ['win32', 'ia32', undefined, { os: 'windows', architecture: '386' }],
    ['darwin', 'arm64', undefined, { os: 'darwin', architecture: 'arm64', variant: 'v8' }],
    ['linux', 'arm', '6', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux', 'ppc64', undefined, { os: 'linux', architecture: 'ppc64le' }],
    ['aix', 'ppc64', undefined, { os: 'aix', architecture: 'ppc64' }],
    ['linux', 'mipsel', undefined, { os: 'linux', architecture: 'mipsle' }],
  ])('%s/%s', (platform, arch, armVersion, expected) => {
    expect(platformFromNode(platform, arch, armVersion)).toEqual(expected);
  });
});
