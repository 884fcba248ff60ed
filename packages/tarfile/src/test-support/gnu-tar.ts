import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { run } from './run-tool.ts';

/** A file's content, or a symlink's target. */
export type TreeEntry = string | Uint8Array | { readonly symlink: string };

/** Builds `out` with GNU tar from a tree made in `work` (names get the `./` prefix GNU tar gives them). */
export async function gnuTar(work: string, out: string, tree: Readonly<Record<string, TreeEntry>>): Promise<void> {
  for (const [name, entry] of Object.entries(tree)) {
    const path = join(work, name);
    await mkdir(dirname(path), { recursive: true });
    if (typeof entry === 'object' && 'symlink' in entry) await symlink(entry.symlink, path);
    else await writeFile(path, entry);
  }
  await run('tar', ['-cf', out, '-C', work, '.']);
}
