import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectImage, makeTestImage, writeTestImage } from '@ferry/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { ociArchiveTransport } from './index.ts';
import { ensureBuilt } from './test-support/built-package.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = ociArchiveTransport();
const CHILD = join(import.meta.dirname, 'test-support', 'oci-archive-child.mjs');

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(ensureBuilt, 120_000);

describe('oci-archive: a writer killed mid-commit', () => {
  it('leaves the old archive intact, and the next writer cleans up', { timeout: 60_000 }, async () => {
    const base = await tempDir();
    const file = join(base, 'a.tar');
    const old = makeTestImage({ salt: 'old' });
    await writeTestImage(transport.parseReference(`${file}:v`), old);
    const before = await readFile(file);

    const child = spawn(process.execPath, [CHILD, 'stall-commit', file, 'v', 'killed'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const closed = new Promise((resolve) => child.on('close', resolve));
    const mine = async (suffix: string): Promise<boolean> =>
      (await readdir(base)).some((n) => n.startsWith(`.a.tar.ferry-${child.pid}-`) && n.endsWith(suffix));
    await until(async () => (await mine('.tmp')) || child.exitCode !== null, 'the temp archive');
    expect(child.exitCode, stderr).toBeNull();
    child.kill('SIGKILL');
    await closed;

    expect(await readFile(file)).toEqual(before);
    expect(await mine('.staging')).toBe(true);
    expect(await mine('.tmp')).toBe(true);
    await expectImage(transport.parseReference(`${file}:v`), old);

    const next = makeTestImage({ salt: 'next' });
    await writeTestImage(transport.parseReference(`${file}:v`), next);
    expect(await readdir(base)).toEqual(['a.tar']);
    await expectImage(transport.parseReference(`${file}:v`), next);
  });
});
