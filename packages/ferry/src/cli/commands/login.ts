import type { Command } from '../command.ts';

/**
 * Where `ferry login` reads a password from: standard input (`--password-stdin`) and, on a terminal,
 * prompts. The default uses the process's standard input; tests pass their own.
 */
export interface LoginInput {
  /** Whether standard input is a terminal that can be prompted on. */
  readonly isTTY: boolean;
  /** Reads all of standard input (`--password-stdin`); MUST stop on abort with `signal.reason`. */
  readAll(signal: AbortSignal): Promise<string>;
  /** Shows `question` and reads one line from the terminal, without echo when `secret`. */
  prompt(question: string, secret: boolean, signal: AbortSignal): Promise<string>;
}

/**
 * Makes `ferry login REGISTRY`, as `skopeo login`: checks the credentials against the registry, then records
 * them in the auth file. `input` replaces standard input (for tests and embedders).
 * @example
 * ```ts
 * await runCli(['login', '-u', 'alice', '--password-stdin', 'quay.io'], io, { commands: [loginCommandWith(input)] });
 * ```
 */
export function loginCommandWith(input?: LoginInput): Command {
  return {
    name: 'login',
    summary: 'Login to a container registry',
    usage: 'ferry login [command options] REGISTRY',
    examples: ['ferry login quay.io', 'ferry login -u alice --password-stdin --authfile auth.json 127.0.0.1:5000'],
    flags: [
      {
        name: 'authfile',
        type: 'string',
        valueName: 'string',
        description: 'path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override',
      },
      {
        name: 'cert-dir',
        type: 'string',
        valueName: 'string',
        description: 'use certificates at the specified path to access the registry',
      },
      { name: 'get-login', type: 'boolean', description: 'Return the current login user for the registry' },
      { name: 'password', short: 'p', type: 'string', valueName: 'string', description: 'Password for registry' },
      { name: 'password-stdin', type: 'boolean', description: 'Take the password from stdin' },
      {
        name: 'tls-verify',
        type: 'boolean',
        description: 'require HTTPS and verify certificates when accessing the registry',
      },
      { name: 'username', short: 'u', type: 'string', valueName: 'string', description: 'Username for registry' },
      { name: 'verbose', short: 'v', type: 'boolean', description: 'Write more detailed information to stdout' },
    ],
    // skopeo's own messages for a missing or extra registry
    args: { min: 0, max: Number.POSITIVE_INFINITY },
    async run(context) {
      const { runLogin, processLoginInput } = await import('./login-run.ts');
      return runLogin(context, input ?? processLoginInput());
    },
  };
}

/** `ferry login`, reading `--password-stdin` and prompts from the process's standard input. */
export const loginCommand: Command = loginCommandWith();
