import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CredentialEnv, CredentialOptions } from '../credential-options.ts';

// A real docker-credential-helpers style program: secrets live in $FAKE_HELPER_DIR, one file per server
// (named by the server URL in hex), and every call is appended to calls.log as "ACTION SERVER".
const FAKE_HELPER = `#!/bin/sh
set -u
dir="\${FAKE_HELPER_DIR:?}"
action="\${1:-}"
input=$(cat)
case "$action" in
  store) server=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/p') ;;
  *) server="$input" ;;
esac
echo "$action $server" >> "$dir/calls.log"
key=$(printf '%s' "$server" | od -An -tx1 | tr -d ' \\n')
case "$action" in
  get)
    if [ -f "$dir/$key" ]; then cat "$dir/$key"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  store) printf '%s' "$input" > "$dir/$key" ;;
  erase)
    if [ -f "$dir/$key" ]; then rm "$dir/$key"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  *) echo "unknown action $action"; exit 1 ;;
esac
`;

/** A fake home, runtime dir and PATH with the `docker-credential-fake` helper. */
export interface CredentialFixture {
  readonly root: string;
  readonly home: string;
  readonly runtimeDir: string;
  readonly helperDir: string;
  readonly binDir: string;
  readonly env: CredentialEnv;
  /** Options pointing every look-up at the fixture. */
  options(extra?: Partial<CredentialOptions> & { env?: CredentialEnv }): CredentialOptions;
  /** Writes `content` (JSON-encoded unless a string) to `path`, creating directories. */
  write(path: string, content: unknown): Promise<string>;
  /** Puts a secret into the fake helper's store. */
  seedHelper(server: string, username: string, secret: string): Promise<void>;
  /** The helper calls made so far, as "ACTION SERVER" lines. */
  helperCalls(): Promise<string[]>;
  /** Installs another helper program named `docker-credential-NAME`. */
  installHelper(name: string, script: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function credentialFixture(): Promise<CredentialFixture> {
  const root = await mkdtemp(join(tmpdir(), 'ferry-credentials-'));
  const home = join(root, 'home');
  const runtimeDir = join(root, 'run');
  const helperDir = join(root, 'helper-store');
  const binDir = join(root, 'bin');
  await Promise.all([home, runtimeDir, helperDir, binDir].map((dir) => mkdir(dir, { recursive: true })));
  const env: CredentialEnv = {
    HOME: home,
    XDG_RUNTIME_DIR: runtimeDir,
    PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    FAKE_HELPER_DIR: helperDir,
  };
  const installHelper = async (name: string, script: string): Promise<void> => {
    const path = join(binDir, `docker-credential-${name}`);
    await writeFile(path, script);
    await chmod(path, 0o755);
  };
  await installHelper('fake', FAKE_HELPER);
  return {
    root,
    home,
    runtimeDir,
    helperDir,
    binDir,
    env,
    options: (extra = {}) => ({ homeDir: home, ...extra, env: { ...env, ...extra.env } }),
    write: async (path, content) => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    },
    seedHelper: async (server, username, secret) => {
      const key = Buffer.from(server).toString('hex');
      await writeFile(join(helperDir, key), JSON.stringify({ ServerURL: server, Username: username, Secret: secret }));
    },
    helperCalls: async () => {
      const log = await readFile(join(helperDir, 'calls.log'), 'utf8').catch(() => '');
      return log.split('\n').filter((line) => line !== '');
    },
    installHelper,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** base64 of `user:password`, as auth files hold it. */
export function basicAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}
