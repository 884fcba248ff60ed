import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DOCKER_V2_LIST_MEDIA_TYPE, OCI_INDEX_MEDIA_TYPE } from '@ferry/manifest';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManifestList } from './manifest-list.ts';
import { skopeo, TestLayout } from './test-support/image-layout.ts';
import { tempDir } from './test-support/store-fixtures.ts';

// skopeo (containers/image, Go) writes the lists here; Ferry must parse them and write the same bytes.
let source: string;

beforeAll(async () => {
  const layout = await TestLayout.create(await tempDir());
  const amd64 = await layout.image({ os: 'linux', architecture: 'amd64' }, 'amd64');
  const arm = await layout.image({ os: 'linux', architecture: 'arm', variant: 'v7' }, 'arm');
  const windows = await layout.image(
    { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1879', 'os.features': ['win32k'] },
    'windows',
  );
  const multi = await layout.index([
    { ...amd64, bytes: undefined, platform: { architecture: 'amd64', os: 'linux' } },
    { ...arm, bytes: undefined, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
    {
      ...windows,
      bytes: undefined,
      annotations: { 'org.example.note': 'a&b' },
      platform: { architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.1879', 'os.features': ['win32k'] },
    },
  ]);
  layout.tag(multi, 'multi');
  await layout.commit();
  source = `oci:${layout.dir}:multi`;
}, 60_000);

describe('lists written by skopeo', () => {
  it('an OCI index (skopeo inspect --raw) re-serializes to the same bytes', async () => {
    const raw = await skopeo('inspect', '--raw', source);
    const list = ManifestList.parse(new TextEncoder().encode(raw));
    expect(list.mediaType).toBe(OCI_INDEX_MEDIA_TYPE);
    expect(list.instances).toHaveLength(3);
    expect(list.instances[2]?.annotations).toEqual({ 'org.example.note': 'a&b' });
    // the fixture writes its members in Go's order; only Go's escaping of `&` differs from JSON.stringify
    expect(new TextDecoder().decode(list.serialize('oci').bytes)).toBe(raw.replace('a&b', 'a\\u0026b'));
  });

  it('a Docker list converted by skopeo copy --all --format v2s2 is what serialize("v2s2") writes', async () => {
    const out = join(await tempDir(), 'docker');
    // containers/image drops the instance annotation on the way
    await skopeo('copy', '--all', '--format', 'v2s2', source, `dir:${out}`);
    const written = await readFile(join(out, 'manifest.json'));
    const list = ManifestList.parse(written);
    expect(list.mediaType).toBe(DOCKER_V2_LIST_MEDIA_TYPE);
    expect(list.instances[2]?.platform).toEqual({
      os: 'windows',
      architecture: 'amd64',
      osVersion: '10.0.17763.1879',
      osFeatures: ['win32k'],
    });
    expect(new TextDecoder().decode(list.serialize('v2s2').bytes)).toBe(new TextDecoder().decode(written));
  });

  it('an OCI index converted back by skopeo copy --all --format oci is what serialize("oci") writes', async () => {
    const docker = join(await tempDir(), 'docker');
    const back = join(await tempDir(), 'oci');
    await skopeo('copy', '--all', '--format', 'v2s2', source, `dir:${docker}`);
    await skopeo('copy', '--all', '--format', 'oci', `dir:${docker}`, `dir:${back}`);
    const written = await readFile(join(back, 'manifest.json'));
    const list = ManifestList.parse(written);
    expect(list.mediaType).toBe(OCI_INDEX_MEDIA_TYPE);
    expect(new TextDecoder().decode(list.serialize('oci').bytes)).toBe(new TextDecoder().decode(written));
  });
});
