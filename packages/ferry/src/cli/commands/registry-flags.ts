import type { RegistryCredentials, RegistryOptions } from '@ferry/types';
import type { FlagSpec, ParsedArgs } from '../flags.ts';
import { UsageError } from '../usage-error.ts';

/** skopeo's help text for `--authfile`, which names the variable literally. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the text shows a shell variable, as skopeo's help does
export const AUTHFILE_HELP = 'path of the authentication file. Default is ${XDG_RUNTIME_DIR}/containers/auth.json';

/**
 * skopeo's registry flags, with `prefix` (`src-`, `dest-` or none): `--creds`, `--username`,
 * `--password`, `--registry-token`, `--no-creds`, `--tls-verify`, `--cert-dir`, `--authfile`.
 */
export function registryFlagSpecs(prefix: '' | 'src-' | 'dest-'): FlagSpec[] {
  return [
    {
      name: `${prefix}authfile`,
      type: 'string',
      valueName: 'string',
      description: AUTHFILE_HELP,
    },
    {
      name: `${prefix}cert-dir`,
      type: 'string',
      valueName: 'PATH',
      description: 'use certificates at PATH (*.crt, *.cert, *.key) to connect to the registry or daemon',
    },
    {
      name: `${prefix}creds`,
      type: 'string',
      valueName: 'USERNAME[:PASSWORD]',
      description: 'Use USERNAME[:PASSWORD] for accessing the registry',
    },
    { name: `${prefix}no-creds`, type: 'boolean', description: 'Access the registry anonymously' },
    {
      name: `${prefix}password`,
      type: 'string',
      valueName: 'string',
      description: 'Password for accessing the registry',
    },
    {
      name: `${prefix}registry-token`,
      type: 'string',
      valueName: 'string',
      description: 'Provide a Bearer token for accessing the registry',
    },
    {
      name: `${prefix}tls-verify`,
      type: 'boolean',
      description: 'require HTTPS and verify certificates when talking to the container registry or daemon',
    },
    {
      name: `${prefix}username`,
      type: 'string',
      valueName: 'string',
      description: 'Username for accessing the registry',
    },
  ];
}

/** `--retry-times` and `--retry-delay`, shared by the source and the destination. */
export const RETRY_FLAGS: readonly FlagSpec[] = [
  { name: 'retry-times', type: 'string', valueName: 'int', description: 'the number of times to possibly retry' },
  {
    name: 'retry-delay',
    type: 'string',
    valueName: 'duration',
    description: 'Fixed delay between retries (e.g. 500ms, 2s); exponential backoff by default',
  },
];

/**
 * Reads the registry flags with `prefix` into {@link RegistryOptions}, refusing the combinations skopeo
 * refuses. `--authfile` without prefix applies to both sides of a copy, as in skopeo.
 */
export function registryOptionsFrom(args: ParsedArgs, prefix: '' | 'src-' | 'dest-', command: string): RegistryOptions {
  const get = (name: string): string | undefined => args.flags.get(`${prefix}${name}`) as string | undefined;
  const creds = get('creds');
  const username = get('username');
  const password = get('password');
  const token = get('registry-token');
  const noCreds = args.flags.get(`${prefix}no-creds`) === true;
  if (creds !== undefined && (username !== undefined || password !== undefined)) {
    throw new UsageError(
      `--${prefix}creds and --${prefix}username/--${prefix}password cannot be used together`,
      command,
    );
  }
  const credentials =
    creds !== undefined
      ? parseCreds(creds, `--${prefix}creds`, command)
      : userPassword(username, password, prefix, command);
  if (noCreds && (credentials !== undefined || token !== undefined)) {
    throw new UsageError(`--${prefix}no-creds cannot be combined with credentials or a registry token`, command);
  }
  if (credentials !== undefined && token !== undefined) {
    throw new UsageError(`--${prefix}creds and --${prefix}registry-token cannot be used together`, command);
  }
  const authFile = get('authfile') ?? (args.flags.get('authfile') as string | undefined);
  const certDir = get('cert-dir');
  const registriesDir = args.flags.get('registries.d') as string | undefined;
  const tlsVerify = args.flags.get(`${prefix}tls-verify`);
  return {
    ...(credentials !== undefined && { credentials }),
    ...(token !== undefined && { bearerToken: token }),
    ...(noCreds && { noCredentials: true }),
    ...(authFile !== undefined && { authFile }),
    ...(certDir !== undefined && { certDir }),
    ...(registriesDir !== undefined && { registriesDir }),
    ...(typeof tlsVerify === 'boolean' && { tlsVerify }),
    ...retryOptionsFrom(args, command),
  };
}

function retryOptionsFrom(args: ParsedArgs, command: string): Pick<RegistryOptions, 'retryTimes' | 'retryDelayMs'> {
  const times = args.flags.get('retry-times') as string | undefined;
  const delay = args.flags.get('retry-delay') as string | undefined;
  if (times !== undefined && !/^\d+$/.test(times)) {
    throw new UsageError(
      `invalid argument ${JSON.stringify(times)} for --retry-times: not a non-negative integer`,
      command,
    );
  }
  const delayMs = delay === undefined ? undefined : parseDuration(delay, command);
  return {
    ...(times !== undefined && { retryTimes: Number(times) }),
    ...(delayMs !== undefined && { retryDelayMs: delayMs }),
  };
}

// Go's time.ParseDuration for the units a retry delay needs
function parseDuration(text: string, command: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(
      `invalid argument ${JSON.stringify(text)} for --retry-delay: not a duration like 2s or 500ms`,
      command,
    );
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] as string] as number), 0);
}

/** `USERNAME[:PASSWORD]` as skopeo reads `--creds` (the password may contain colons). */
export function parseCreds(text: string, flag: string, command: string): RegistryCredentials {
  if (text === '') throw new UsageError(`${flag}: credentials can't be empty`, command);
  const colon = text.indexOf(':');
  const username = colon === -1 ? text : text.slice(0, colon);
  if (username === '') throw new UsageError(`${flag}: username can't be empty`, command);
  return { username, password: colon === -1 ? '' : text.slice(colon + 1) };
}

function userPassword(
  username: string | undefined,
  password: string | undefined,
  prefix: string,
  command: string,
): RegistryCredentials | undefined {
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined) {
    throw new UsageError(`--${prefix}username and --${prefix}password must be given together`, command);
  }
  return { username, password };
}
