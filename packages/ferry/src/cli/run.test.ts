import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFerry } from './test-support/run-ferry.ts';

const here = new URL('.', import.meta.url).pathname;
const packageDir = join(here, '../..');
const fixtures = join(packageDir, 'fixtures');
const manifestFixtures = join(packageDir, '../manifest/fixtures');

const run = (argv: string[], cwd?: string) => runFerry(argv, cwd === undefined ? {} : { cwd });

function skopeoDigest(path: string): { ok: boolean; out: string } {
  const r = spawnSync('skopeo', ['manifest-digest', path], { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout };
}

describe('ferry manifest-digest', () => {
  it('prints the digest skopeo prints for the shipped example', async () => {
    const path = join(fixtures, 'oci-manifest.json');
    const r = await run(['manifest-digest', path]);
    expect(r).toEqual({ code: 0, stdout: skopeoDigest(path).out, stderr: '' });
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });

  it('agrees with skopeo on every manifest fixture, signed schema 1 included', async () => {
    const files = readdirSync(manifestFixtures, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.json'));
    let compared = 0;
    for (const file of files) {
      const path = join(manifestFixtures, file);
      const judge = skopeoDigest(path);
      const mine = await run(['manifest-digest', path]);
      if (judge.ok) {
        expect(mine.stdout, file).toBe(judge.out);
        expect(mine.code, file).toBe(0);
        compared++;
      } else {
        expect(mine.code, file).toBe(1);
      }
    }
    expect(compared).toBeGreaterThan(3);
  });

  it('resolves a relative path against the working directory', async () => {
    const r = await run(['manifest-digest', 'oci-manifest.json'], fixtures);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(skopeoDigest(join(fixtures, 'oci-manifest.json')).out);
  });

  it('fails with one clear line for a missing file', async () => {
    const r = await run(['manifest-digest', '/nonexistent/m.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ferry: reading manifest from \/nonexistent\/m\.json: .*no such file.*\n$/i);
  });

  it('refuses a file over the 4 MiB manifest limit before reading it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
    const path = join(dir, 'big.json');
    writeFileSync(path, Buffer.alloc(4 * 1024 * 1024 + 1, 0x20));
    const r = await run(['manifest-digest', path, '--debug']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('over the 4194304-byte limit');
    expect(r.stderr).toContain('code: ERR_TOO_LARGE');
  });

  it('shows the cause chain only with --debug', async () => {
    const plain = await run(['manifest-digest', '/nonexistent/m.json']);
    expect(plain.stderr).not.toContain('caused by');
    const debug = await run(['--debug', 'manifest-digest', '/nonexistent/m.json']);
    expect(debug.stderr).toContain('code: ERR_IO');
    expect(debug.stderr).toContain('caused by: Error: ENOENT');
  });
});

describe('ferry usage', () => {
  it.each([
    [['manifest-digest'], 'takes 1 argument, got 0'],
    [['manifest-digest', 'a', 'b'], 'takes 1 argument, got 2'],
    [['manifest-digest', '--bogus', 'a'], 'unknown flag: --bogus'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['--debug=maybe', 'manifest-digest', 'x'], 'invalid argument "maybe" for --debug'],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('--help');
  });

  it('--help lists the commands and exits 0; no arguments exits 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('manifest-digest');
    expect(help.stdout).toContain('Compute a manifest digest of a file');
    expect((await run([])).code).toBe(2);
  });

  it('takes global flags with values before the command, as skopeo does', async () => {
    const r = await run([
      '--tmpdir',
      '/tmp',
      '--override-arch',
      'arm64',
      'manifest-digest',
      join(fixtures, 'oci-manifest.json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(skopeoDigest(join(fixtures, 'oci-manifest.json')).out);
  });

  it('command --help shows its usage', async () => {
    const r = await run(['manifest-digest', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ferry manifest-digest MANIFEST-FILE');
    expect(r.stdout).toContain('-h, --help');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    const r = await run(['--version']);
    expect(r).toEqual({ code: 0, stdout: `ferry version ${pkg.version}\n`, stderr: '' });
  });
});

describe('the built ferry binary', () => {
  const bin = join(packageDir, 'dist/bin/ferry.mjs');

  it('runs as a process with the same exit codes', () => {
    const ok = spawnSync(process.execPath, [bin, 'manifest-digest', join(fixtures, 'oci-manifest.json')], {
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(skopeoDigest(join(fixtures, 'oci-manifest.json')).out);
    const usage = spawnSync(process.execPath, [bin, 'manifest-digest'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    const fail = spawnSync(process.execPath, [bin, 'manifest-digest', '/nonexistent'], { encoding: 'utf8' });
    expect(fail.status).toBe(1);
    expect(fail.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is executable through its shebang', () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })).toMatch(/^ferry version /);
  });
});
