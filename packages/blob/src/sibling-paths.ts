import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// Hidden siblings of a target that a writer builds before it renames them into place:
// `.NAME.ferry-PID-RANDOM.KIND`. The pid lets the next writer tell a leftover of a killed process from the
// work of a live one, so a re-run after SIGKILL leaves nothing behind.

/**
 * A fresh hidden path beside `target`, owned by this process, e.g. `.image.tar.ferry-4242-1a2b3c4d5e6f.tmp`.
 * `kind` is a short lowercase word naming what the path holds (`staging`, `tmp`, `old`).
 * @example
 * ```ts
 * const staging = siblingPath('/srv/out/image', 'staging');
 * ```
 */
export function siblingPath(target: string, kind: string): string {
  return join(dirname(target), `.${basename(target)}.ferry-${process.pid}-${randomBytes(6).toString('hex')}.${kind}`);
}

/** A sibling left by a process that no longer runs. */
export interface Leftover {
  /** Its path. */
  readonly path: string;
  /** The kind it was made with. */
  readonly kind: string;
}

/**
 * The siblings of `target` (made by {@link siblingPath}) whose process is dead, for the caller to remove or
 * restore. Siblings of live processes, this one included, are not listed. An unreadable parent gives none.
 * @example
 * ```ts
 * for (const { path } of await findLeftovers(target)) await rm(path, { recursive: true, force: true });
 * ```
 */
export async function findLeftovers(target: string): Promise<Leftover[]> {
  const name = basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\.${name}\\.ferry-(\\d+)-[0-9a-f]+\\.([a-z]+)$`);
  const parent = dirname(target);
  const found: Leftover[] = [];
  for (const entry of await readdir(parent).catch(() => [] as string[])) {
    const match = pattern.exec(entry);
    if (match === null || isProcessAlive(Number(match[1]))) continue;
    found.push({ path: join(parent, entry), kind: match[2] as string });
  }
  return found;
}

/** Whether a process with this pid runs on this machine (one of another user counts as running). */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
