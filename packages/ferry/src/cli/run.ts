import { isImageError, type TransportRegistry } from '@ferry/types';
import type { CliIO, Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { parseFlags } from './flags.ts';
import { commandHelp, GLOBAL_FLAGS, rootHelp } from './help.ts';
import { isUsageError, UsageError } from './usage-error.ts';
import { ferryVersion } from './version.ts';

/** Exit codes of `ferry`. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2 }) as {
  readonly ok: 0;
  readonly failure: 1;
  readonly usage: 2;
};

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Aborts the running command (SIGINT/SIGTERM in the real binary). */
  readonly signal?: AbortSignal;
  /** The commands to offer. @default every built-in command */
  readonly commands?: readonly Command[];
  /** The transports to parse image names with. @default `defaultTransports()` */
  readonly transports?: TransportRegistry;
}

/**
 * Runs the `ferry` command line in-process and resolves to its exit code: 0 success, 1 failure, 2 usage
 * error. Errors are printed as one line on `io.stderr`; `--debug` adds the cause chain.
 */
export async function runCli(argv: readonly string[], io: CliIO, options: RunCliOptions = {}): Promise<number> {
  const commands = options.commands ?? COMMANDS;
  const signal = options.signal ?? new AbortController().signal;
  const debug = argv.includes('--debug') || argv.includes('--debug=true');
  const first = commandIndex(argv, 0);
  const group = first === -1 ? undefined : commands.find((c) => c.name === argv[first]);
  try {
    if (first !== -1 && group === undefined) {
      throw new UsageError(`unknown command ${JSON.stringify(argv[first])} for "ferry"`);
    }
    if (group === undefined) return runRoot(argv, io, commands);
    const picked = pickSubcommand(group, argv, first);
    if (picked === undefined) return runGroup(group, argv, first, io);
    const { command, at } = picked;
    const rest = argv.filter((_, i) => i !== first && i !== at);
    const specs = [...command.flags, ...GLOBAL_FLAGS];
    const args = parseFlags(rest, specs, command.name);
    if (args.flags.get('help') === true) {
      io.stdout(commandHelp(command));
      return EXIT.ok;
    }
    const n = args.positionals.length;
    if (n < command.args.min || n > command.args.max) {
      throw new UsageError(`"${command.usage}" takes ${describeCount(command.args)}, got ${n}`, command.name);
    }
    const given = options.transports;
    const transports = async (): Promise<TransportRegistry> =>
      given ?? (await import('../default-transports.ts')).defaultTransports();
    return (await command.run({ args, io, signal, transports })) ?? EXIT.ok;
  } catch (error) {
    return report(error, io, debug, signal);
  }
}

// the sub-command named by the next word after a group (`ferry manifest create …`), with its full name
function pickSubcommand(
  group: Command,
  argv: readonly string[],
  first: number,
): { command: Command; at: number } | undefined {
  if (group.subcommands === undefined) return { command: group, at: first };
  const at = commandIndex(argv, first + 1);
  if (at === -1) return undefined;
  const sub = group.subcommands.find((c) => c.name === argv[at]);
  if (sub === undefined) {
    throw new UsageError(`unknown command ${JSON.stringify(argv[at])} for "ferry ${group.name}"`, group.name);
  }
  return { command: { ...sub, name: `${group.name} ${sub.name}` }, at };
}

// `ferry manifest` alone: the list of its sub-commands
function runGroup(group: Command, argv: readonly string[], first: number, io: CliIO): number {
  const args = parseFlags(
    argv.filter((_, i) => i !== first),
    GLOBAL_FLAGS,
    group.name,
  );
  io.stdout(rootHelp(group.subcommands ?? [], `ferry ${group.name}`, group.summary));
  return args.flags.get('help') === true ? EXIT.ok : EXIT.usage;
}

// the first word from `from` on that is neither a flag nor the value of a global flag given before it
// (`ferry --override-arch arm64 copy …`, as skopeo accepts)
function commandIndex(argv: readonly string[], from: number): number {
  for (let i = from; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return -1;
    if (!arg.startsWith('-') || arg === '-') return i;
    if (arg.includes('=')) continue;
    const spec = GLOBAL_FLAGS.find((f) => arg === `--${f.name}` || (f.short !== undefined && arg === `-${f.short}`));
    if (spec !== undefined && spec.type !== 'boolean') i++;
  }
  return -1;
}

function runRoot(argv: readonly string[], io: CliIO, commands: readonly Command[]): number {
  const args = parseFlags(argv, GLOBAL_FLAGS);
  if (args.flags.get('version') === true) {
    io.stdout(`ferry version ${ferryVersion()}\n`);
    return EXIT.ok;
  }
  io.stdout(rootHelp(commands));
  return args.flags.get('help') === true ? EXIT.ok : EXIT.usage;
}

function describeCount({ min, max }: { readonly min: number; readonly max: number }): string {
  if (min === max) return `${min} argument${min === 1 ? '' : 's'}`;
  return `${min} to ${max} arguments`;
}

function report(error: unknown, io: CliIO, debug: boolean, signal: AbortSignal): number {
  if (signal.aborted && error === signal.reason) {
    io.stderr('ferry: interrupted\n');
    return EXIT.failure;
  }
  if (isUsageError(error)) {
    const hint = error.command === undefined ? 'ferry --help' : `ferry ${error.command} --help`;
    io.stderr(`ferry: ${error.message}\nTry '${hint}' for more information.\n`);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`ferry: ${message}\n`);
  if (debug) {
    if (isImageError(error)) io.stderr(`  code: ${error.code}\n`);
    let cause = error instanceof Error ? error.cause : undefined;
    for (let depth = 0; cause !== undefined && depth < 10; depth++) {
      io.stderr(`  caused by: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}\n`);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    if (error instanceof Error && error.stack !== undefined) io.stderr(`${error.stack}\n`);
  }
  return EXIT.failure;
}
