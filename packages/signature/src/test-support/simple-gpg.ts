// Test helpers: a throw-away GnuPG home, gpg and skopeo run asynchronously (never execFileSync).
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs a program, feeding `input`; extra descriptors (fd 3…) get the given strings. */
export function run(
  command: string,
  args: readonly string[],
  options: { input?: Uint8Array | string; env?: NodeJS.ProcessEnv; extraFds?: readonly string[] } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const extra = options.extraFds ?? [];
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe', ...extra.map(() => 'pipe' as const)],
      env: { ...process.env, LC_ALL: 'C', ...options.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    extra.forEach((text, i) => {
      const stream = child.stdio[3 + i] as NodeJS.WritableStream;
      stream.on('error', () => {});
      stream.end(text);
    });
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }),
    );
  });
}

/** A temporary GnuPG home; the agent caches no passphrase, so each test sees the same behaviour. */
export interface GnupgHome {
  readonly dir: string;
  gpg(
    args: readonly string[],
    options?: { input?: Uint8Array | string; extraFds?: readonly string[] },
  ): Promise<RunResult>;
  /** Generates a signing key (ed25519, no expiry unless `expire` is given) and returns its fingerprint. */
  generateKey(uid: string, options?: { passphrase?: string; expire?: string }): Promise<string>;
  cleanup(): Promise<void>;
}

export async function makeGnupgHome(): Promise<GnupgHome> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-gpg-'));
  await chmod(dir, 0o700);
  await writeFile(join(dir, 'gpg-agent.conf'), 'default-cache-ttl 0\nmax-cache-ttl 0\nallow-loopback-pinentry\n');
  const gpg: GnupgHome['gpg'] = (args, options = {}) => run('gpg', ['--homedir', dir, '--batch', ...args], options);
  return {
    dir,
    gpg,
    async generateKey(uid, options = {}) {
      const result = await gpg([
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        options.passphrase ?? '',
        '--quick-gen-key',
        uid,
        'ed25519',
        'sign',
        options.expire ?? 'never',
      ]);
      if (result.code !== 0) throw new Error(`gpg --quick-gen-key failed: ${result.stderr}`);
      const list = await gpg(['--with-colons', '--list-keys', uid]);
      const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(list.stdout.toString());
      if (fpr?.[1] === undefined) throw new Error(`no fingerprint for ${uid}: ${list.stdout}`);
      return fpr[1];
    },
    async cleanup() {
      await run('gpgconf', ['--homedir', dir, '--kill', 'all']);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
