import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { addAbortSignal, Writable } from 'node:stream';
import {
  authFileToWrite,
  checkRegistryLogin,
  lookupCredentials,
  passwordCredentials,
  storeCredentials,
} from '@ferry/registry';
import { ImageError, isImageError, type RegistryOptions } from '@ferry/types';
import type { CommandContext } from '../command.ts';
import type { ParsedArgs } from '../flags.ts';
import { UsageError } from '../usage-error.ts';
import { boolFlag, stringFlag } from './copy-options.ts';
import type { LoginInput } from './login.ts';
import { credentialOptionsFrom, type LoginTarget, loginTarget } from './logout-run.ts';

/** More than any password: standard input is read under this bound. */
const STDIN_LIMIT = 64 * 1024;

type Password = { readonly username: string; readonly password: string };

/**
 * Runs `ferry login` as skopeo (containers/common `auth.Login`) does: `--get-login` prints the recorded
 * user; without a user and password it tries the recorded ones first; new credentials are checked with an
 * authenticated `GET /v2/` and only then stored. Messages go to stdout, as skopeo prints them.
 */
export async function runLogin({ args, io, signal }: CommandContext, input: LoginInput): Promise<number> {
  const target = loginTarget(args.positionals, 'login', 'login to');
  const storage = credentialOptionsFrom(args, io.cwd, signal);
  const recorded = await lookupCredentials(target.credentials, storage);
  const recordedUser = recorded !== undefined && 'username' in recorded ? recorded.username : '';
  if (boolFlag(args, 'get-login')) {
    if (recordedUser === '') throw new ImageError('ERR_INVALID_ARGUMENT', `not logged into ${target.key}`);
    io.stdout(`${recordedUser}\n`);
    return 0;
  }
  if (recorded !== undefined && 'identityToken' in recorded) {
    throw new ImageError('ERR_INVALID_ARGUMENT', 'currently logged in, auth file contains an Identity token');
  }
  const username = stringFlag(args, 'username') ?? '';
  const password = await givenPassword(args, username, input, signal);
  const registry = registryOptionsFor(args, io.cwd);
  if (username === '' && password === '' && recorded !== undefined && recordedUser !== '' && recorded.password !== '') {
    io.stdout(`Authenticating with existing credentials for ${target.key}\n`);
    if (await credentialsWork(target, recorded, registry, signal)) {
      io.stdout(`Existing credentials are valid. Already logged in to ${target.credentials.host}\n`);
      return 0;
    }
    io.stdout('Existing credentials are invalid, please enter valid username and password\n');
  }
  const credentials = await askCredentials(username, password, recordedUser, input, signal);
  await checkLogin(target, credentials, registry, signal);
  await storeCredentials(target.credentials, credentials, storage);
  if (boolFlag(args, 'verbose')) io.stdout(`Used:  ${await authFileToWrite(storage)}\n`);
  io.stdout('Login Succeeded!\n');
  return 0;
}

/** `-p` or `--password-stdin` (lines joined without their line breaks, as skopeo reads it); `''` for none. */
async function givenPassword(
  args: ParsedArgs,
  username: string,
  input: LoginInput,
  signal: AbortSignal,
): Promise<string> {
  const password = stringFlag(args, 'password') ?? '';
  if (!boolFlag(args, 'password-stdin')) return password;
  if (password !== '') throw new UsageError("Can't specify both --password-stdin and --password", 'login');
  if (username === '') throw new UsageError('Must provide --username with --password-stdin', 'login');
  const text = await input.readAll(signal);
  return text
    .split('\n')
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
    .join('');
}

/** The `--tls-verify` and `--cert-dir` settings for talking to the registry. */
function registryOptionsFor(args: ParsedArgs, cwd: string): RegistryOptions {
  const tlsVerify = args.flags.get('tls-verify');
  const certDir = stringFlag(args, 'cert-dir');
  return {
    ...(typeof tlsVerify === 'boolean' && { tlsVerify }),
    ...(certDir !== undefined && { certDir: resolve(cwd, certDir) }),
  };
}

async function credentialsWork(
  target: LoginTarget,
  credentials: Password,
  registry: RegistryOptions,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    await checkRegistryLogin(target.credentials.host, { ...registry, credentials }, { signal });
    return true;
  } catch (error) {
    if (signal.aborted && error === signal.reason) throw error;
    return false;
  }
}

/** Prompts for what was not given, as skopeo does, on a terminal only. */
async function askCredentials(
  given: string,
  password: string,
  recordedUser: string,
  input: LoginInput,
  signal: AbortSignal,
): Promise<Password> {
  let username = given;
  if (username === '') {
    const question = recordedUser === '' ? 'Username: ' : `Username (${recordedUser}): `;
    username = (await ask(input, question, false, 'username', signal)).trim() || recordedUser;
  }
  const secret = password !== '' ? password : await ask(input, 'Password: ', true, 'password', signal);
  return passwordCredentials(username.trim(), secret);
}

async function ask(
  input: LoginInput,
  question: string,
  secret: boolean,
  what: string,
  signal: AbortSignal,
): Promise<string> {
  if (!input.isTTY) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `getting username and password: reading ${what}: standard input is not a terminal (use --username with --password or --password-stdin)`,
    );
  }
  return input.prompt(question, secret, signal);
}

async function checkLogin(
  target: LoginTarget,
  credentials: Password,
  registry: RegistryOptions,
  signal: AbortSignal,
): Promise<void> {
  try {
    await checkRegistryLogin(target.credentials.host, { ...registry, credentials }, { signal });
  } catch (cause) {
    if (signal.aborted && cause === signal.reason) throw cause;
    if (isImageError(cause, 'ERR_UNAUTHORIZED')) {
      throw new ImageError(
        'ERR_UNAUTHORIZED',
        `logging into ${JSON.stringify(target.key)}: invalid username/password`,
        {
          cause,
        },
      );
    }
    if (!isImageError(cause)) throw cause;
    throw new ImageError(cause.code, `authenticating creds for ${JSON.stringify(target.key)}: ${cause.message}`, {
      cause,
    });
  }
}

/** Standard input and the terminal of this process. */
export function processLoginInput(): LoginInput {
  return {
    isTTY: process.stdin.isTTY === true,
    readAll: readStdin,
    prompt: promptTerminal,
  };
}

async function readStdin(signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of addAbortSignal(signal, process.stdin)) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > STDIN_LIMIT) {
        throw new ImageError(
          'ERR_TOO_LARGE',
          `standard input holds over ${STDIN_LIMIT} bytes, too many for a password`,
        );
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  }
  return Buffer.concat(chunks).toString('utf8');
}

// readline echoes what is typed through `output`: muting it after the question hides a password
async function promptTerminal(question: string, secret: boolean, signal: AbortSignal): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) process.stdout.write(chunk);
      callback();
    },
  });
  const terminal = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = terminal.question(question, { signal });
    muted = secret;
    const line = await answer;
    if (secret) process.stdout.write('\n');
    return line;
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  } finally {
    terminal.close();
  }
}
