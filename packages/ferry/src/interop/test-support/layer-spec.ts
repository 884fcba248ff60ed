import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { gnuTar } from './layout-writer.ts';

/** One entry of a layer, as the generator writes it before tarring. */
export type LayerEntry =
  | { readonly kind: 'file'; readonly path: string; readonly content: string }
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'hardlink'; readonly path: string; readonly target: string }
  /** `.wh.<name>` in the parent of `path`: deletes `path` of a lower layer. */
  | { readonly kind: 'whiteout'; readonly path: string }
  /** `.wh..wh..opq` in `path`: hides everything lower layers put in that directory. */
  | { readonly kind: 'opaque'; readonly path: string };

/** What a path of the unpacked root filesystem is: `d`, `f:<sha256 of content>` or `l:<target>`. */
export type TreeNode = string;

/** Writes `entries` into a fresh directory and tars it with GNU tar. */
export function tarLayer(entries: readonly LayerEntry[]): Buffer {
  const root = mkdtempSync(join(tmpdir(), 'ferry-layer-'));
  try {
    for (const e of entries) {
      const at = join(root, e.path);
      mkdirSync(e.kind === 'dir' || e.kind === 'opaque' ? at : dirname(at), { recursive: true });
      if (e.kind === 'file') writeFileSync(at, e.content);
      else if (e.kind === 'symlink') symlinkSync(e.target, at);
      else if (e.kind === 'hardlink') linkSync(join(root, e.target), at);
      else if (e.kind === 'whiteout') writeFileSync(join(dirname(at), `.wh.${posix.basename(e.path)}`), '');
      else if (e.kind === 'opaque') writeFileSync(join(at, '.wh..wh..opq'), '');
    }
    return gnuTar(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function hashOf(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

function addParents(tree: Map<string, TreeNode>, path: string): void {
  for (let p = posix.dirname(path); p !== '.' && p !== '/'; p = posix.dirname(p)) tree.set(p, 'd');
}

function removeUnder(tree: Map<string, TreeNode>, path: string, keep?: ReadonlySet<string>): void {
  for (const key of [...tree.keys()]) {
    if (key.startsWith(`${path}/`) && keep?.has(key) !== true) tree.delete(key);
  }
}

/**
 * The root filesystem the layers unpack to, by the OCI rules: whiteouts delete lower entries, an opaque
 * directory hides its lower children (not its own layer's), later entries replace earlier ones.
 */
export function expectedTree(layers: readonly (readonly LayerEntry[])[]): Map<string, TreeNode> {
  const tree = new Map<string, TreeNode>();
  for (const layer of layers) {
    const own = new Set(layer.filter((e) => e.kind !== 'whiteout' && e.kind !== 'opaque').map((e) => e.path));
    for (const e of layer) {
      if (e.kind === 'whiteout') {
        tree.delete(e.path);
        removeUnder(tree, e.path);
      } else if (e.kind === 'opaque') removeUnder(tree, e.path, own);
    }
    for (const e of layer) {
      addParents(tree, e.path);
      if (e.kind === 'whiteout') continue;
      if (e.kind === 'dir' || e.kind === 'opaque') tree.set(e.path, 'd');
      else if (e.kind === 'file') tree.set(e.path, `f:${hashOf(e.content)}`);
      else if (e.kind === 'symlink') tree.set(e.path, `l:${e.target}`);
      else tree.set(e.path, tree.get(e.target) ?? 'missing');
    }
  }
  return tree;
}
