import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry } from '@ferry/registry-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from './command.ts';
import { type LoginInput, loginCommandWith } from './commands/login.ts';
import { logoutCommand } from './commands/logout.ts';
import { runCli } from './run.ts';

interface Scripted extends LoginInput {
  readonly asked: string[];
}

/** Standard input holding `text`; prompts answered from `answers` on a pretend terminal when `tty`. */
function scriptedInput(text: string, tty = false, answers: string[] = []): Scripted {
  const asked: string[] = [];
  return {
    asked,
    isTTY: tty,
    readAll: async () => text,
    prompt: async (question) => {
      asked.push(question);
      return answers.shift() ?? '';
    },
  };
}

async function ferry(argv: readonly string[], input: LoginInput) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd: process.cwd(),
    env: {},
  };
  const code = await runCli(argv, io, { commands: [loginCommandWith(input), logoutCommand] });
  return { code, stdout, stderr };
}

describe('ferry login: where the password comes from', () => {
  let registry: RunningRegistry;
  let work: string;
  let password: string;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'basic' });
    work = await mkdtemp(join(tmpdir(), 'ferry-login-input-'));
    password = registry.password as string;
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  const authFile = (name: string): string => join(work, name);
  const base = (file: string) => ['login', '--authfile', authFile(file), '--tls-verify=false'];

  it('reads --password-stdin, dropping line breaks as skopeo does', async () => {
    const run = await ferry(
      [...base('stdin.json'), '-u', 'ferry', '--password-stdin', registry.host],
      scriptedInput(`${password}\r\n`),
    );
    expect(run).toEqual({ code: 0, stdout: 'Login Succeeded!\n', stderr: '' });
    const file = JSON.parse(await readFile(authFile('stdin.json'), 'utf8'));
    expect(file.auths[registry.host].auth).toBe(Buffer.from(`ferry:${password}`).toString('base64'));
  });

  it('records a repository key under its host', async () => {
    const key = `${registry.host}/team/app`;
    const run = await ferry([...base('repo.json'), '-u', 'ferry', '-p', password, '-v', key], scriptedInput(''));
    expect(run.stdout).toBe(`Used:  ${authFile('repo.json')}\nLogin Succeeded!\n`);
    const file = JSON.parse(await readFile(authFile('repo.json'), 'utf8'));
    expect(Object.keys(file.auths)).toEqual([key]);
    const tagged = await ferry([...base('repo.json'), '-u', 'ferry', '-p', password, `${key}:v1`], scriptedInput(''));
    expect(tagged.stderr).toBe(`ferry: reference "${key}:v1" contains tag or digest\n`);
  });

  it('takes a URL as its host', async () => {
    const run = await ferry(
      [...base('url.json'), '-u', 'ferry', '-p', password, `${registry.url}/`],
      scriptedInput(''),
    );
    expect(run.code).toBe(0);
    expect(Object.keys(JSON.parse(await readFile(authFile('url.json'), 'utf8')).auths)).toEqual([registry.host]);
  });

  it('refuses contradicting flags with skopeo words', async () => {
    const both = await ferry(
      [...base('x.json'), '-u', 'ferry', '-p', 'x', '--password-stdin', registry.host],
      scriptedInput('y'),
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("ferry: Can't specify both --password-stdin and --password\n");
    const noUser = await ferry([...base('x.json'), '--password-stdin', registry.host], scriptedInput('y'));
    expect(noUser.stderr).toContain('ferry: Must provide --username with --password-stdin\n');
    const none = await ferry(['login'], scriptedInput(''));
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('please provide a registry to login to') });
    const two = await ferry(['login', 'a.example', 'b.example'], scriptedInput(''));
    expect(two.stderr).toContain('login accepts only one registry to login to');
    const allAndOne = await ferry(['logout', '--all', 'a.example'], scriptedInput(''));
    expect(allAndOne.stderr).toContain('--all takes no arguments');
  });

  it('fails without a terminal when a user name or password is missing', async () => {
    const run = await ferry([...base('nothing.json'), registry.host], scriptedInput(''));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'ferry: getting username and password: reading username: standard input is not a terminal (use --username with --password or --password-stdin)\n',
    );
    const noPassword = await ferry([...base('nothing.json'), '-u', 'ferry', registry.host], scriptedInput(''));
    expect(noPassword.stderr).toContain('reading password: standard input is not a terminal');
  });

  it('prompts on a terminal, offering the recorded user name', async () => {
    const first = scriptedInput('', true, ['ferry', password]);
    expect((await ferry([...base('tty.json'), registry.host], first)).stdout).toBe('Login Succeeded!\n');
    expect(first.asked).toEqual(['Username: ', 'Password: ']);
    const second = scriptedInput('', true, ['', password]);
    const run = await ferry([...base('tty.json'), '-p', 'stale', registry.host], second);
    expect(run.code).toBe(1);
    expect(second.asked).toEqual(['Username (ferry): ']);
    expect(run.stderr).not.toContain('stale');
  });

  it('refuses a logout from a named auth file that does not exist', async () => {
    const run = await ferry(['logout', '--authfile', authFile('missing.json'), '--all'], scriptedInput(''));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ferry: checking authfile: .*missing\.json/);
  });
});
