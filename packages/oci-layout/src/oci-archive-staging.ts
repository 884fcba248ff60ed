import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoOf } from './fs-error.ts';

/** What a hidden sibling of an archive holds: a layout being written, or the new archive being written. */
export type ArchiveSiblingKind = 'staging' | 'tmp';

// Hidden siblings of the target archive: `.NAME.ferry-PID-RANDOM.staging` (a layout being written) and
// `.NAME.ferry-PID-RANDOM.tmp` (the new archive before its rename). The pid lets the next writer tell a
// leftover of a killed process from the work of a live one.

/** A fresh hidden path beside `target`, owned by this process. */
export function archiveSibling(target: string, kind: ArchiveSiblingKind): string {
  return join(dirname(target), `.${basename(target)}.ferry-${process.pid}-${randomBytes(6).toString('hex')}.${kind}`);
}

function leftoverPattern(target: string): RegExp {
  const name = basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${name}\\.ferry-(\\d+)-[0-9a-f]+\\.(?:staging|tmp)$`);
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else
    return errnoOf(error) === 'EPERM';
  }
}

/**
 * Removes the staging directories and temp archives that killed writers left beside `target`; those of
 * live processes (this one included) are left alone. Failures are ignored: this is housekeeping.
 *
 * @returns The paths removed.
 */
export async function cleanArchiveLeftovers(target: string): Promise<string[]> {
  const pattern = leftoverPattern(target);
  const parent = dirname(target);
  const removed: string[] = [];
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const match = pattern.exec(name);
    if (match === null || isAlive(Number(match[1]))) continue;
    const path = join(parent, name);
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    removed.push(path);
  }
  return removed;
}
