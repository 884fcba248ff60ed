import { type CallOptions, ImageError } from '@ferry/types';

/** Where gpg is and which keyring it uses. */
export interface GpgOptions {
  /**
   * GnuPG home directory (`--homedir`).
   * @default `GNUPGHOME`, else `~/.gnupg` (gpg's own default)
   */
  readonly homeDir?: string;
  /**
   * The gpg executable.
   * @default 'gpg' (looked up on `PATH`)
   */
  readonly gpgPath?: string;
}

/** Options of {@link runGpg}. */
export interface RunGpgOptions extends GpgOptions, CallOptions {
  /** Bytes written to gpg's standard input. */
  readonly input?: Uint8Array;
  /** Written to file descriptor 3, followed by a newline, for `--passphrase-fd 3`. */
  readonly passphrase?: string;
}

/** What a gpg run produced. */
export interface GpgResult {
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  readonly stderr: string;
  /** `[GNUPG:]` status lines (written to fd 4 by `--status-fd 4`), without the prefix. */
  readonly status: readonly string[];
}

/** The file descriptor gpg reads a passphrase from when {@link RunGpgOptions.passphrase} is set. */
export const PASSPHRASE_FD = 3;
// signatures and exported keys are small; anything bigger is not what we asked for
const OUTPUT_LIMIT = 16 * 1024 * 1024;

/**
 * Runs gpg without a terminal (`--batch --no-tty`), with status lines on a separate descriptor, the way gpgme
 * does. A passphrase travels through a pipe (fd 3), never through argv or the environment. An abort kills gpg.
 *
 * @throws {@link ImageError} `ERR_IO` when gpg cannot be started or writes too much; the abort reason on abort.
 * A non-zero exit code is not an error here: callers interpret {@link GpgResult.status}.
 * @example
 * ```ts
 * const { stdout } = await runGpg(['--export', '--', fingerprint], { homeDir, signal });
 * ```
 */
export function runGpg(args: readonly string[], options: RunGpgOptions = {}): Promise<GpgResult> {
  const { signal } = options;
  signal?.throwIfAborted();
  const gpgPath = options.gpgPath ?? 'gpg';
  const fullArgs = [
    ...(options.homeDir === undefined ? [] : ['--homedir', options.homeDir]),
    '--batch',
    '--no-tty',
    '--status-fd',
    '4',
    ...args,
  ];
  // loaded here, not at import: a policy check in the same bundle chunk never pays for node:child_process
  const { spawn } = process.getBuiltinModule('node:child_process');
  return new Promise<GpgResult>((resolve, reject) => {
    const child = spawn(gpgPath, fullArgs, {
      stdio: ['pipe', 'pipe', 'pipe', options.passphrase === undefined ? 'ignore' : 'pipe', 'pipe'],
      // English messages, so that the summaries in our errors are predictable
      env: { ...process.env, LC_ALL: 'C' },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const status: Buffer[] = [];
    let size = 0;
    let failure: unknown;
    const fail = (error: unknown): void => {
      failure ??= error;
      child.kill();
    };
    const onAbort = (): void => fail(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (cause: NodeJS.ErrnoException) => {
      const what = cause.code === 'ENOENT' ? `gpg not found (${gpgPath})` : `cannot run ${gpgPath}: ${cause.message}`;
      fail(new ImageError('ERR_IO', what, { cause }));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > OUTPUT_LIMIT) fail(new ImageError('ERR_IO', `gpg wrote more than ${OUTPUT_LIMIT} bytes`));
      else stdout.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const statusStream = child.stdio[4];
    statusStream?.on('data', (chunk: Buffer) => status.push(chunk));
    // gpg may exit before reading all its input (unknown key…): its exit status says why, not EPIPE
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? new Uint8Array());
    const passphraseStream = child.stdio[PASSPHRASE_FD];
    if (options.passphrase !== undefined && passphraseStream !== null && passphraseStream !== undefined) {
      passphraseStream.on('error', () => {});
      (passphraseStream as NodeJS.WritableStream).end(`${options.passphrase}\n`);
    }
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', onAbort);
      if (failure !== undefined) return reject(failure);
      resolve({
        exitCode: code ?? (killedBy === null ? 0 : 128),
        stdout: new Uint8Array(Buffer.concat(stdout)),
        stderr: Buffer.concat(stderr).toString('utf8'),
        status: Buffer.concat(status)
          .toString('utf8')
          .split('\n')
          .filter((line) => line.startsWith('[GNUPG:] '))
          .map((line) => line.slice('[GNUPG:] '.length)),
      });
    });
  });
}

/** A short, single-line summary of gpg's diagnostics for an error message. */
export function summarizeGpgStderr(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('[GNUPG:]'));
  const text = [...new Set(lines)].slice(-3).join('; ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text || 'no diagnostics';
}
