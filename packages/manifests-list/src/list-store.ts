import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { acquireFileLock, writeBytesAtomic } from '@ferry/blob';
import { type CallOptions, type Digest, ImageError, isImageError } from '@ferry/types';
import { checkListName, isListFileName, listFileName } from './list-names.ts';
import { decodeListFile, encodeListFile, readListFileName } from './list-store-file.ts';
import { defaultListStoreRoot } from './list-store-root.ts';
import type { ManifestList } from './manifest-list.ts';

/** A named list as the store keeps it. */
export interface StoredList {
  /** Its name: a non-empty string of at most 255 characters without NUL. */
  readonly name: string;
  readonly list: ManifestList;
  /** instance digest → the `transport:reference` text it was added from (for push). */
  readonly origins: ReadonlyMap<Digest, string>;
}

/** Options of {@link ListStore.create}. */
export interface CreateListOptions extends CallOptions {
  /** Replace a list that already exists under the name. @default false */
  readonly amend?: boolean;
}

/**
 * Named lists saved in a directory, one file per list, each replaced atomically, so a reader sees a whole
 * old or a whole new list and a writer killed mid-write leaves the old one. Writes to one list are
 * serialized across processes by a lock file beside it. Every method throws `ERR_INVALID_ARGUMENT` for an
 * invalid name, `ERR_IO` for a system failure, and `signal.reason` on an abort.
 */
export interface ListStore {
  /** The directory holding the lists. */
  readonly root: string;
  /** Whether a list named `name` is stored. */
  exists(name: string, options?: CallOptions): Promise<boolean>;
  /** The stored list; `ERR_LIST_UNKNOWN` if none, `ERR_INVALID_IMAGE` naming the file if it is damaged. */
  load(name: string, options?: CallOptions): Promise<StoredList>;
  /** Stores a new list; `ERR_CLOBBER` if the name is taken and `amend` is not set (`amend` replaces it). */
  create(list: StoredList, options?: CreateListOptions): Promise<void>;
  /**
   * Reads the list, applies `edit` and stores its result, all under the list's lock, so concurrent updates
   * (from any process) each see the previous one's result. An error from `edit` leaves the list as it was.
   * `ERR_LIST_UNKNOWN` if none; `ERR_INVALID_ARGUMENT` if `edit` returns another name.
   */
  update(
    name: string,
    edit: (current: StoredList) => StoredList | Promise<StoredList>,
    options?: CallOptions,
  ): Promise<StoredList>;
  /** Deletes the list; `ERR_LIST_UNKNOWN` if none. */
  remove(name: string, options?: CallOptions): Promise<void>;
  /** The names of the stored lists, sorted. */
  names(options?: CallOptions): Promise<string[]>;
}

/** Options of {@link openListStore}. */
export interface ListStoreOptions {
  /** The directory holding the lists. @default `defaultListStoreRoot(env)` */
  readonly root?: string;
  /** The environment the default root is read from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Opens the store of named lists at `root` (created on the first `create`). Opening does no I/O.
 *
 * @example
 * ```ts
 * const store = openListStore();
 * await store.create({ name: 'app', list: ManifestList.empty(), origins: new Map() });
 * await store.update('app', (s) => ({ ...s, list: s.list.add(instance) }), { signal });
 * ```
 */
export function openListStore(options: ListStoreOptions = {}): ListStore {
  const root = resolve(options.root ?? defaultListStoreRoot(options.env ?? process.env));
  const pathOf = (name: string): string => {
    checkListName(name);
    return join(root, listFileName(name));
  };
  const unknown = (name: string): ImageError =>
    new ImageError('ERR_LIST_UNKNOWN', `no manifest list named ${JSON.stringify(name)} in ${root}`);

  const read = async (name: string, signal: AbortSignal | undefined): Promise<StoredList> => {
    const path = pathOf(name);
    const bytes = await readFile(path, signal === undefined ? {} : { signal }).catch((error: unknown) => {
      throw errnoOf(error) === 'ENOENT' ? unknown(name) : asStoreError(error, `reading ${path}`, signal);
    });
    const stored = decodeListFile(bytes, path);
    if (stored.name !== name) {
      throw new ImageError('ERR_INVALID_IMAGE', `stored list ${path} holds the list ${JSON.stringify(stored.name)}`);
    }
    return stored;
  };

  const exists = async (name: string, { signal }: CallOptions = {}): Promise<boolean> => {
    const path = pathOf(name);
    signal?.throwIfAborted();
    try {
      return (await stat(path)).isFile();
    } catch (error) {
      if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return false;
      throw asStoreError(error, `reading ${path}`, signal);
    }
  };

  const write = async (stored: StoredList, signal: AbortSignal | undefined): Promise<void> => {
    const bytes = encodeListFile(stored);
    await writeBytesAtomic(pathOf(stored.name), bytes, { what: 'manifest list', ...(signal && { signal }) });
  };

  return {
    root,
    exists,
    load: (name, { signal } = {}) => read(name, signal),
    async create(stored, { signal, amend = false } = {}) {
      const path = pathOf(stored.name);
      await mkdir(root, { recursive: true }).catch((error: unknown) => {
        throw asStoreError(error, `creating ${root}`, signal);
      });
      await withListLock(path, signal, async () => {
        if (!amend && (await exists(stored.name, signal && { signal }))) {
          throw new ImageError('ERR_CLOBBER', `a manifest list named ${JSON.stringify(stored.name)} exists in ${root}`);
        }
        await write(stored, signal);
      });
    },
    async update(name, edit, { signal } = {}) {
      const path = pathOf(name);
      // fails fast, without creating the root, for a list that was never stored
      if (!(await exists(name, signal && { signal }))) throw unknown(name);
      return withListLock(path, signal, async () => {
        const next = await edit(await read(name, signal));
        if (next.name !== name) {
          throw new ImageError('ERR_INVALID_ARGUMENT', `update of list ${JSON.stringify(name)} renamed it`);
        }
        await write(next, signal);
        return next;
      });
    },
    async remove(name, { signal } = {}) {
      const path = pathOf(name);
      if (!(await exists(name, signal && { signal }))) throw unknown(name);
      await withListLock(path, signal, async () => {
        if (!(await exists(name, signal && { signal }))) throw unknown(name);
        await rm(path).catch((error: unknown) => {
          throw asStoreError(error, `removing ${path}`, signal);
        });
      });
    },
    async names({ signal } = {}) {
      signal?.throwIfAborted();
      const files = await readdir(root).catch((error: unknown) => {
        if (errnoOf(error) === 'ENOENT') return [] as string[];
        throw asStoreError(error, `listing ${root}`, signal);
      });
      const names: string[] = [];
      for (const file of files.filter(isListFileName)) {
        signal?.throwIfAborted();
        // a list removed meanwhile is simply not listed
        const bytes = await readFile(join(root, file)).catch(() => undefined);
        const name = bytes === undefined ? undefined : readListFileName(bytes);
        if (name !== undefined && listFileName(name) === file) names.push(name);
      }
      return names.sort();
    },
  };
}

// Runs `action` holding `<file>.lock`. Only a lock holder writes the list file, so temp files beside it
// found now were left by a writer that was killed, and are removed.
async function withListLock<T>(path: string, signal: AbortSignal | undefined, action: () => Promise<T>): Promise<T> {
  const lock = await acquireFileLock(`${path}.lock`, signal === undefined ? {} : { signal });
  try {
    await removeDeadTemps(path);
    return await action();
  } finally {
    await lock.release();
  }
}

async function removeDeadTemps(path: string): Promise<void> {
  const root = dirname(path);
  const prefix = `.${basename(path)}.`;
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) await rm(join(root, name), { force: true }).catch(() => {});
  }
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function asStoreError(error: unknown, what: string, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted === true) return signal.reason;
  if (isImageError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new ImageError('ERR_IO', `${what} failed: ${detail}`, { cause: error });
}
