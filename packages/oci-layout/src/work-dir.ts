import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { INDEX_FILE, PID_TEMP_PREFIX, WORK_DIR_PREFIX } from './layout-paths.ts';
import { currentProcess, isProcessGone, type ProcessIdentity } from './process-identity.ts';

/** A writer's own temp area inside a layout: `.ferry-work-<host>-<pid>-<processStart>-<created>-<random>`. */
export interface WorkDir {
  readonly path: string;
  /** When it was created, in milliseconds since the epoch. */
  readonly created: number;
}

/** A work directory found in a layout, with its owner. */
export interface FoundWorkDir extends WorkDir {
  readonly name: string;
  readonly owner: ProcessIdentity;
}

// a work dir of another host is assumed abandoned after a day
const FOREIGN_STALE_MS = 24 * 3600 * 1000;

/** Creates a new work directory in the layout at `root`. */
export async function createWorkDir(root: string): Promise<WorkDir> {
  const me = currentProcess();
  const created = Date.now();
  const name = `${WORK_DIR_PREFIX}${me.host}-${me.pid}-${me.started}-${created}-${randomBytes(4).toString('hex')}`;
  const path = join(root, name);
  await mkdir(path);
  return { path, created };
}

/** A fresh temp file name inside `dir`. */
export function tempFileIn(dir: WorkDir, kind: string): string {
  return join(dir.path, `${kind}-${randomBytes(8).toString('hex')}.tmp`);
}

/** Lists the work directories in the layout at `root` (any owner). */
export async function listWorkDirs(root: string): Promise<FoundWorkDir[]> {
  const out: FoundWorkDir[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith(WORK_DIR_PREFIX)) continue;
    const parts = name.slice(WORK_DIR_PREFIX.length).split('-');
    const [host, pid, started, created] = [parts[0] ?? '', Number(parts[1]), Number(parts[2]), Number(parts[3])];
    if (![pid, started, created].every(Number.isSafeInteger)) continue;
    out.push({ name, path: join(root, name), created, owner: { host, pid, started } });
  }
  return out;
}

/** Tells whether a work directory's owner is gone (or it is another host's and very old). */
export function isAbandoned(dir: FoundWorkDir): boolean {
  return isProcessGone(dir.owner) || Date.now() - dir.created > FOREIGN_STALE_MS;
}

/**
 * Removes what crashed writers left in the layout at `root`: work directories and `.ferry-tmp-<pid>-…`
 * files of dead processes. With `holdingLock`, also `index.json` temp files (only a lock holder
 * writes them, so while we hold it any that exist are stale). Failures are ignored: this is housekeeping.
 *
 * @returns The paths removed.
 */
export async function cleanStaleTemps(root: string, holdingLock: boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of await listWorkDirs(root)) {
    if (!isAbandoned(dir)) continue;
    await rm(dir.path, { recursive: true, force: true }).catch(() => undefined);
    removed.push(dir.path);
  }
  const me = currentProcess();
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const path = join(root, name);
    if (name.startsWith(PID_TEMP_PREFIX) && name.endsWith('.tmp')) {
      const pid = Number(name.slice(PID_TEMP_PREFIX.length).split('-')[0]);
      const gone = pid !== me.pid && isProcessGone({ pid, host: me.host, started: 0 });
      if (gone || (await ageOf(path)) > 60_000) removed.push(await remove(path));
    } else if (holdingLock && name.startsWith(`.${INDEX_FILE}.`) && name.endsWith('.tmp')) {
      removed.push(await remove(path));
    }
  }
  return removed;
}

async function ageOf(path: string): Promise<number> {
  return Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
}

async function remove(path: string): Promise<string> {
  await rm(path, { force: true }).catch(() => undefined);
  return path;
}
