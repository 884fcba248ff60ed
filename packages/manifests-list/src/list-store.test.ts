import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestBytes } from '@ferry/blob';
import { DOCKER_V2_LIST_MEDIA_TYPE, OCI_INDEX_MEDIA_TYPE } from '@ferry/manifest';
import { type Digest, isImageError } from '@ferry/types';
import { beforeEach, describe, expect, it } from 'vitest';
import { listFileName } from './list-names.ts';
import { type ListStore, openListStore, type StoredList } from './list-store.ts';
import { ManifestList } from './manifest-list.ts';
import { tempDir, testInstance } from './test-support/store-fixtures.ts';

let root = '';
let store: ListStore;

beforeEach(async () => {
  root = join(await tempDir(), 'lists');
  store = openListStore({ root });
});

async function rejection(promise: Promise<unknown>, code: string): Promise<Error> {
  const error = await promise.then(
    () => expect.unreachable(`expected ${code}`),
    (e: unknown) => e,
  );
  expect(isImageError(error, code as 'ERR_IO'), String(error)).toBe(true);
  return error as Error;
}

function storedWith(name: string, count: number): StoredList {
  let list = ManifestList.empty();
  const origins = new Map<Digest, string>();
  for (let i = 0; i < count; i++) {
    const instance = testInstance(i);
    list = list.add(instance);
    origins.set(instance.digest, `oci:/images/${i}`);
  }
  return { name, list, origins };
}

describe('openListStore', () => {
  it('uses the root given, else the default from env', () => {
    expect(store.root).toBe(root);
    expect(openListStore({ env: { XDG_DATA_HOME: '/x' } }).root).toBe('/x/ferry/manifest-lists');
  });
});

describe('ListStore', () => {
  it('creates, loads, lists and removes a list, keeping instances, origins and bytes', async () => {
    const stored = storedWith('app', 2);
    expect(await store.exists('app')).toBe(false);
    expect(await store.names()).toEqual([]);
    await store.create(stored);
    expect(await store.exists('app')).toBe(true);
    const loaded = await store.load('app');
    expect(loaded.name).toBe('app');
    expect(loaded.list.instances).toEqual(stored.list.instances);
    expect(loaded.list.mediaType).toBe(OCI_INDEX_MEDIA_TYPE);
    expect(loaded.list.serialize('oci').digest).toBe(stored.list.serialize('oci').digest);
    expect(loaded.origins).toEqual(stored.origins);
    expect(await store.names()).toEqual(['app']);
    expect(await readdir(root)).toEqual([listFileName('app')]);
    await store.remove('app');
    expect(await store.exists('app')).toBe(false);
    expect(await readdir(root)).toEqual([]);
  });

  it('keeps a Docker list as a Docker list', async () => {
    const docker = ManifestList.parse(storedWith('d', 2).list.serialize('v2s2').bytes, DOCKER_V2_LIST_MEDIA_TYPE);
    await store.create({ name: 'd', list: docker, origins: new Map() });
    const loaded = await store.load('d');
    expect(loaded.list.mediaType).toBe(DOCKER_V2_LIST_MEDIA_TYPE);
    expect(loaded.list.serialize('v2s2').digest).toBe(docker.serialize('v2s2').digest);
  });

  it('gives ERR_LIST_UNKNOWN for a name never stored, naming it', async () => {
    const error = await rejection(store.load('nope'), 'ERR_LIST_UNKNOWN');
    expect(error.message).toContain('"nope"');
    await rejection(store.remove('nope'), 'ERR_LIST_UNKNOWN');
    await rejection(
      store.update('nope', (s) => s),
      'ERR_LIST_UNKNOWN',
    );
    // nothing was created for the failed calls
    await expect(stat(root)).rejects.toThrow();
  });

  it('refuses to create over an existing list without amend (ERR_CLOBBER), replaces it with amend', async () => {
    await store.create(storedWith('app', 1));
    const error = await rejection(store.create(storedWith('app', 3)), 'ERR_CLOBBER');
    expect(error.message).toContain('"app"');
    expect((await store.load('app')).list.instances).toHaveLength(1);
    await store.create(storedWith('app', 3), { amend: true });
    expect((await store.load('app')).list.instances).toHaveLength(3);
  });

  it('updates under the lock: concurrent updates in one process all land', async () => {
    await store.create(storedWith('app', 0));
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        store.update('app', async (s) => {
          await new Promise((r) => setTimeout(r, 5));
          return { ...s, list: s.list.add(testInstance(i)) };
        }),
      ),
    );
    expect((await store.load('app')).list.instances).toHaveLength(6);
    expect(await readdir(root)).toEqual([listFileName('app')]);
  });

  it('returns the stored result of update, and an edit that throws leaves the list as it was', async () => {
    await store.create(storedWith('app', 1));
    const before = await readFile(join(root, listFileName('app')));
    const boom = new Error('edit failed');
    await expect(
      store.update('app', () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await readFile(join(root, listFileName('app')))).toEqual(before);
    const result = await store.update('app', (s) => ({ ...s, list: s.list.add(testInstance(5)) }));
    expect(result.list.instances).toHaveLength(2);
    await rejection(
      store.update('app', (s) => ({ ...s, name: 'other' })),
      'ERR_INVALID_ARGUMENT',
    );
    expect(await store.names()).toEqual(['app']);
  });

  it('stores names with /, .., ., unicode and the longest allowed, each apart from the others', async () => {
    const names = ['a/b', '../x', '..', '.', '/', 'é😀 list', 'x'.repeat(255), `${'x'.repeat(254)}y`, 'A', 'a'];
    for (const [i, name] of names.entries()) await store.create(storedWith(name, i % 3));
    expect(await store.names()).toEqual([...names].sort());
    for (const [i, name] of names.entries()) expect((await store.load(name)).list.instances).toHaveLength(i % 3);
    // nothing escaped the root
    expect((await readdir(join(root, '..'))).sort()).toEqual(['lists']);
    expect(await readdir(root)).toHaveLength(names.length);
  });

  it('refuses invalid names with ERR_INVALID_ARGUMENT', async () => {
    await rejection(store.load(''), 'ERR_INVALID_ARGUMENT');
    await rejection(store.exists('a\0b'), 'ERR_INVALID_ARGUMENT');
    await rejection(store.create(storedWith('x'.repeat(256), 0)), 'ERR_INVALID_ARGUMENT');
  });

  it('removes temp files a killed writer left, and load never sees them', async () => {
    await store.create(storedWith('app', 1));
    const temp = join(root, `.${listFileName('app')}.0123456789ab.tmp`);
    await writeFile(temp, '{"version":1,"na');
    expect((await store.load('app')).list.instances).toHaveLength(1);
    await store.update('app', (s) => ({ ...s, list: s.list.add(testInstance(1)) }));
    expect(await readdir(root)).toEqual([listFileName('app')]);
  });

  it('surfaces an abort as signal.reason', async () => {
    await store.create(storedWith('app', 1));
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    const { signal } = controller;
    await expect(store.load('app', { signal })).rejects.toBe(reason);
    await expect(store.update('app', (s) => s, { signal })).rejects.toBe(reason);
    await expect(store.create(storedWith('b', 0), { signal })).rejects.toBe(reason);
    await expect(store.names({ signal })).rejects.toBe(reason);
    expect(await store.names()).toEqual(['app']);
  });
});

describe('a damaged stored list', () => {
  const path = (): string => join(root, listFileName('app'));
  const corrupt = async (edit: (file: Record<string, unknown>) => unknown): Promise<Error> => {
    await store.create(storedWith('app', 2), { amend: true });
    const file = JSON.parse(await readFile(path(), 'utf8'));
    const replaced = edit(file);
    await writeFile(path(), typeof replaced === 'string' ? replaced : JSON.stringify(file));
    const error = await rejection(store.load('app'), 'ERR_INVALID_IMAGE');
    expect(error.message).toContain(path());
    return error;
  };

  it('is refused when not JSON (a truncated file)', async () => {
    expect((await corrupt(() => '{"version":1,"name":"ap')).message).toContain('not JSON');
  });

  it('is refused with another format version, saying which', async () => {
    expect((await corrupt((f) => Object.assign(f, { version: 2 }))).message).toContain('format version 2');
  });

  it('is refused when the list bytes do not match their digest', async () => {
    const error = await corrupt((f) => {
      const list = f.list as { data: string };
      list.data = Buffer.from('{"schemaVersion":2,"manifests":[]}').toString('base64');
    });
    expect(error.message).toContain('do not match');
  });

  it('is refused when the list inside is not a list', async () => {
    const bytes = Buffer.from('{"schemaVersion":2,"manifests":"no"}');
    const error = await corrupt((f) => {
      Object.assign(f.list as object, { data: bytes.toString('base64'), digest: digestBytes(bytes) });
    });
    expect(error.message).toContain('invalid list');
    expect(error.cause).toBeDefined();
  });

  it('is refused with a missing field or an invalid origin digest', async () => {
    expect((await corrupt((f) => Object.assign(f, { list: undefined }))).message).toContain('"list"');
    expect((await corrupt((f) => Object.assign(f, { origins: { nope: 'oci:/x' } }))).message).toContain('"nope"');
  });

  it('is refused when it holds another list name, and still appears in names', async () => {
    await store.create(storedWith('app', 1));
    await writeFile(path(), (await readFile(path(), 'utf8')).replace('"name": "app"', '"name": "apq"'));
    expect((await rejection(store.load('app'), 'ERR_INVALID_IMAGE')).message).toContain('"apq"');
    await writeFile(path(), (await readFile(path(), 'utf8')).replace('"apq"', '"app"').replace('"data"', '"x"'));
    expect(await store.names()).toEqual(['app']);
    await store.remove('app');
    expect(await store.names()).toEqual([]);
  });
});
