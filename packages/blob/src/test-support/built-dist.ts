import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The child-process script of the file-lock tests. */
export const LOCK_CHILD: string = join(PACKAGE, 'src', 'test-support', 'lock-child.mjs');

/** Builds `dist/` when a source file is newer than it (child processes run the built package). */
export async function ensureBuilt(): Promise<void> {
  const built = await stat(join(PACKAGE, 'dist', 'index.js')).catch(() => undefined);
  const sources = (await readdir(join(PACKAGE, 'src'))).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'));
  const times = await Promise.all(sources.map(async (n) => (await stat(join(PACKAGE, 'src', n))).mtimeMs));
  if (built !== undefined && built.mtimeMs >= Math.max(...times)) return;
  const tsc = join(PACKAGE, '..', '..', 'node_modules', '.bin', 'tsc');
  await promisify(execFile)(tsc, ['-b'], { cwd: PACKAGE });
}
