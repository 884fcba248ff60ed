import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { judge } from '../../cli/test-support/run-ferry.ts';
import type { TreeNode } from './layer-spec.ts';

/** `skopeo copy` of `ref` into a fresh `dir:` (skopeo verifies every digest and size); returns that dir. */
export function skopeoVerify(ref: string, work: string, all = false): string {
  const out = mkdtempSync(join(work, 'judge-'));
  judge('skopeo', ['--insecure-policy', 'copy', '-q', ...(all ? ['--all'] : []), ref, `dir:${out}/img`]);
  return `${out}/img`;
}

/** The diff_ids of `ref`'s config, as skopeo reads them. */
export function skopeoDiffIds(ref: string): string[] {
  return JSON.parse(judge('skopeo', ['inspect', '--config', '--raw', ref])).rootfs.diff_ids;
}

/** The manifest bytes of `ref`, as skopeo reads them. */
export function skopeoRaw(ref: string): string {
  return judge('skopeo', ['inspect', '--raw', ref]);
}

/** Walks `root` into the {@link TreeNode} form: `d`, `f:<sha256>`, `l:<target>`. */
export function readTree(root: string): Map<string, TreeNode> {
  const tree = new Map<string, TreeNode>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const key = relative(root, path);
      const st = lstatSync(path);
      if (st.isDirectory()) {
        tree.set(key, 'd');
        walk(path);
      } else if (st.isSymbolicLink()) tree.set(key, `l:${readlinkSync(path)}`);
      else tree.set(key, `f:${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
    }
  };
  walk(root);
  return tree;
}

/** `umoci unpack --rootless` of `layout:tag` into a fresh bundle; returns the rootfs path. */
export function umociUnpack(layout: string, tag: string, work: string): string {
  const bundle = join(mkdtempSync(join(work, 'bundle-')), 'b');
  judge('umoci', ['unpack', '--rootless', '--image', `${layout}:${tag}`, bundle]);
  return join(bundle, 'rootfs');
}

/** The ref names in the `index.json` of the layout at `layout` (an empty list when there is none). */
export function layoutTags(layout: string): string[] {
  const file = join(layout, 'index.json');
  if (!existsSync(file)) return [];
  const index = JSON.parse(readFileSync(file, 'utf8'));
  return index.manifests.map(
    (m: { annotations?: Record<string, string> }) => m.annotations?.['org.opencontainers.image.ref.name'] ?? '',
  );
}

/** The files of `blobs/sha256` in `layout` whose bytes do not hash to their name (partial or corrupt). */
export function badBlobs(layout: string): string[] {
  const dir = join(layout, 'blobs', 'sha256');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => {
    const hex = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex');
    return hex !== name;
  });
}

/** Hidden entries (temp files, staging and work directories) in `dir`. */
export function hiddenEntries(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith('.')) : [];
}
