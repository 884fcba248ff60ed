import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A throw-away GnuPG home with generated signing keys. */
export interface GpgHome {
  readonly dir: string;
  /** The environment that points gpg (and skopeo, and ferry) at this home. */
  readonly env: { readonly GNUPGHOME: string };
  /** Generates an ed25519 signing key without passphrase; returns its fingerprint. */
  newKey(name: string): string;
  /** Writes the public key of `fingerprint` (binary) to `path`. */
  exportPublic(fingerprint: string, path: string): void;
  /** Writes the secret key of `fingerprint` (armored) to `path`. */
  exportSecret(fingerprint: string, path: string): void;
  /** Runs gpg in this home; fails loudly. */
  run(args: readonly string[], input?: Uint8Array): { stdout: Buffer; stderr: string };
  /** Stops the agent this home started. */
  close(): void;
}

/** Creates a GnuPG home under `dir` (mode 0700, as gpg wants). */
export function gpgHome(dir: string): GpgHome {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const env = { GNUPGHOME: dir };
  const run = (args: readonly string[], input?: Uint8Array): { stdout: Buffer; stderr: string } => {
    const r = spawnSync('gpg', ['--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
      env: { ...process.env, ...env },
      ...(input !== undefined && { input }),
    });
    if (r.status !== 0) throw new Error(`gpg ${args.join(' ')} failed: ${r.stderr.toString()}`);
    return { stdout: r.stdout, stderr: r.stderr.toString() };
  };
  return {
    dir,
    env,
    run,
    newKey(name) {
      run(['--quick-gen-key', `${name} <${name.toLowerCase()}@example.com>`, 'ed25519', 'sign', 'never']);
      const listing = run([
        '--with-colons',
        '--list-secret-keys',
        `${name.toLowerCase()}@example.com`,
      ]).stdout.toString();
      const fpr = listing.split('\n').find((l) => l.startsWith('fpr:'));
      const fingerprint = fpr?.split(':')[9];
      if (fingerprint === undefined) throw new Error(`no fingerprint for ${name}`);
      return fingerprint;
    },
    exportPublic(fingerprint, path) {
      writeFileSync(path, run(['--export', fingerprint]).stdout);
    },
    exportSecret(fingerprint, path) {
      writeFileSync(path, run(['--armor', '--export-secret-keys', fingerprint]).stdout);
    },
    close() {
      spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, ...env } });
    },
  };
}

/** Writes `policy` as JSON into `path` and returns the path. */
export function writePolicy(path: string, policy: unknown): string {
  writeFileSync(path, JSON.stringify(policy, null, 2));
  return path;
}

/** A registries.d directory with one file, `default.yaml`, holding `yaml`. */
export function registriesDir(dir: string, yaml: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'default.yaml'), yaml);
  return dir;
}
