import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { ImageError } from '@ferry/types';
import type { CredentialEnv, CredentialHelperRequest, CredentialHelperResult } from './credential-options.ts';

// a helper answers with a few hundred bytes; more is a broken helper
const OUTPUT_LIMIT = 1024 * 1024;

/**
 * The default {@link CredentialHelperRunner}: finds `program` in `env.PATH`, runs it with `action` as its
 * argument and `input` on stdin, and collects its output. It kills the helper on abort (throwing
 * `signal.reason`) and after `timeoutMs`.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when the program is not in `PATH`, `ERR_IO` when it
 * cannot start, times out or prints more than 1 MiB.
 * @example
 * ```ts
 * const { exitCode, stdout } = await spawnCredentialHelper({
 *   program: 'docker-credential-pass', action: 'get', input: 'quay.io', env: process.env, timeoutMs: 30_000,
 * });
 * ```
 */
export async function spawnCredentialHelper(request: CredentialHelperRequest): Promise<CredentialHelperResult> {
  const { program, action, signal } = request;
  signal?.throwIfAborted();
  const executable = await findExecutable(program, request.env);
  signal?.throwIfAborted();
  if (executable === undefined) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `credential helper ${program} was not found in PATH`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(executable, [action], { env: { ...request.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: unknown, result?: CredentialHelperResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined && result !== undefined) resolve(result);
      else {
        child.kill('SIGKILL');
        reject(error);
      }
    };
    const onAbort = (): void => finish(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => {
      finish(
        new ImageError('ERR_IO', `credential helper ${program} ${action} timed out after ${request.timeoutMs} ms`),
      );
    }, request.timeoutMs);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > OUTPUT_LIMIT) finish(new ImageError('ERR_IO', `credential helper ${program} printed too much`));
      else into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.on('error', (error) => {
      finish(
        new ImageError('ERR_IO', `credential helper ${program} could not run: ${error.message}`, { cause: error }),
      );
    });
    child.on('close', (code, killedBy) => {
      finish(undefined, {
        exitCode: code ?? (killedBy === null ? 1 : 128),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    // a helper may exit without reading its input; the broken pipe is not an error of ours
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.input);
  });
}

async function findExecutable(program: string, env: CredentialEnv): Promise<string | undefined> {
  if (program.includes('/')) return (await isExecutableFile(program)) ? program : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, program);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
