import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tarLayer } from './layer-spec.ts';
import { LayoutWriter, sha256 } from './layout-writer.ts';
import { type RawTarMember, rawTar } from './raw-tar.ts';

function smallLayer(): Buffer {
  return tarLayer([{ kind: 'file', path: 'etc/crafted', content: 'crafted\n' }]);
}

/**
 * Writes a `docker save` archive at `path` whose `manifest.json` names `layerName` as the only layer. The
 * layer's bytes are stored under `storedAs` (omit it to leave the layer out of the archive): a member named
 * `../escape` is what a reader that joins paths naively would find.
 */
export function dockerArchiveNaming(path: string, layerName: string, storedAs?: string): void {
  const layer = smallLayer();
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
    }),
  );
  const configName = `${sha256(config).slice(7)}.json`;
  const manifest = [{ Config: configName, RepoTags: ['ferry/crafted:v1'], Layers: [layerName] }];
  const members: RawTarMember[] = [
    { name: configName, data: config },
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
  ];
  if (storedAs !== undefined) members.push({ name: storedAs, data: layer });
  writeFileSync(path, rawTar(members));
}

function layoutMembers(root: string, dir = root): RawTarMember[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const rel = relative(root, path);
    if (statSync(path).isDirectory()) return [{ name: `${rel}/` }, ...layoutMembers(root, path)];
    return [{ name: rel, data: readFileSync(path) }];
  });
}

/**
 * Writes an `oci-archive` at `path` of a valid one-layer layout (tag `v1`, built in `scratch`) plus an
 * extra member named `escaping` (such as `../x`) that would land outside any extraction directory.
 */
export function ociArchiveWithMember(path: string, scratch: string, escaping: string): void {
  const w = new LayoutWriter(scratch);
  const layer = smallLayer();
  const plain = { bytes: layer, mediaType: 'application/vnd.oci.image.layer.v1.tar', diffId: sha256(layer) };
  w.tag(w.image([plain], { architecture: 'amd64', os: 'linux' }, '2024-01-01T00:00:00Z'), 'v1');
  const members = layoutMembers(scratch);
  members.push({ name: escaping, data: Buffer.from('escaped\n') });
  writeFileSync(path, rawTar(members));
}
