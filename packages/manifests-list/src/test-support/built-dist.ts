import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The child-process script of the multi-process store tests. */
export const STORE_CHILD: string = join(PACKAGE, 'src', 'test-support', 'store-child.mjs');

/**
 * Builds `dist/` (child processes run the built package). Type errors elsewhere in the package do not stop
 * tsc from emitting, so only a missing output fails.
 */
export async function ensureBuilt(): Promise<void> {
  const tsc = join(PACKAGE, '..', '..', 'node_modules', '.bin', 'tsc');
  await promisify(execFile)(tsc, ['-b'], { cwd: PACKAGE }).catch(() => undefined);
  for (const file of ['list-store.js', 'manifest-list.js']) await stat(join(PACKAGE, 'dist', file));
}
