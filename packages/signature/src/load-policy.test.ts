import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isImageError } from '@ferry/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy, SYSTEM_POLICY_PATH } from './load-policy.ts';

const REJECT = '{"default":[{"type":"reject"}]}';

describe('loadPolicy', () => {
  let root = '';
  let home = '';
  let emptyHome = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-policy-'));
    home = join(root, 'home');
    emptyHome = join(root, 'empty-home');
    await mkdir(join(home, '.config/containers'), { recursive: true });
    await mkdir(emptyHome);
    await writeFile(join(home, '.config/containers/policy.json'), REJECT);
    await writeFile(join(root, 'explicit.json'), '{"default":[{"type":"insecureAcceptAnything"}]}');
    await writeFile(join(root, 'broken.json'), '{"default":[]}');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const failure = async (promise: Promise<unknown>): Promise<Error> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isImageError(error, 'ERR_INVALID_POLICY')).toBe(true);
    return error as Error;
  };

  it('reads an explicit path, ignoring the user policy', async () => {
    const policy = await loadPolicy({ path: join(root, 'explicit.json'), homeDir: home });
    expect(policy.default).toEqual([{ type: 'insecureAcceptAnything' }]);
  });

  it('prefers $HOME/.config/containers/policy.json', async () => {
    expect((await loadPolicy({ homeDir: home })).default).toEqual([{ type: 'reject' }]);
  });

  it('reads $HOME from the environment, and ignores XDG_CONFIG_HOME as containers/image does', async () => {
    const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
    process.env.HOME = home;
    process.env.XDG_CONFIG_HOME = join(root, 'nowhere');
    try {
      expect((await loadPolicy()).default).toEqual([{ type: 'reject' }]);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('falls back to /etc/containers/policy.json when the user has none', async () => {
    const fallback = loadPolicy({ homeDir: emptyHome });
    const system = await loadPolicy({ path: SYSTEM_POLICY_PATH }).then(
      (policy) => ({ policy }),
      (error: unknown) => ({ error }),
    );
    if ('policy' in system) {
      expect(await fallback).toEqual(system.policy);
    } else {
      expect((await failure(fallback)).message).toContain(SYSTEM_POLICY_PATH);
    }
  });

  it('names a missing file', async () => {
    const missing = join(root, 'missing.json');
    expect((await failure(loadPolicy({ path: missing }))).message).toBe(`cannot read policy file ${missing}: ENOENT`);
  });

  it('names the file of a malformed policy', async () => {
    const broken = join(root, 'broken.json');
    expect((await failure(loadPolicy({ path: broken }))).message).toBe(
      `invalid policy in ${broken}: policy: default: the list of requirements must not be empty`,
    );
  });

  it('rejects with the abort reason itself', async () => {
    const reason = new Error('stop');
    await expect(loadPolicy({ path: join(root, 'explicit.json'), signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
  });
});
