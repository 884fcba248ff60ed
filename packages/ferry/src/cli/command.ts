import type { TransportRegistry } from '@ferry/types';
import type { FlagSpec, ParsedArgs } from './flags.ts';

/** Where a command writes and what it runs in. Tests pass their own. */
export interface CliIO {
  /** Writes to standard output (machine-readable results). */
  readonly stdout: (text: string) => void;
  /** Writes to standard error (errors, progress, logs). */
  readonly stderr: (text: string) => void;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether standard error is a terminal (live progress bars are drawn only then). @default false */
  readonly stderrIsTTY?: boolean;
}

/** What a command's `run` receives. */
export interface CommandContext {
  /** Flags and positional arguments after the command name. */
  readonly args: ParsedArgs;
  /** Output and environment. */
  readonly io: CliIO;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** Loads the transports `transport:reference` names are parsed with (on first use). */
  readonly transports: () => Promise<TransportRegistry>;
}

/** One `ferry` sub-command. */
export interface Command {
  /** The word after `ferry`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The usage line, e.g. `ferry manifest-digest MANIFEST-FILE`. */
  readonly usage: string;
  /** Example invocations for the help text. */
  readonly examples: readonly string[];
  /** The command's own flags (global ones are added by the runner). */
  readonly flags: readonly FlagSpec[];
  /** Allowed number of positional arguments. */
  readonly args: { readonly min: number; readonly max: number };
  /** Does the work; resolves to the exit code (0 when undefined). */
  run(context: CommandContext): Promise<number | undefined>;
  /**
   * Sub-commands (`ferry manifest create …`): the word after this command's name picks one, which then
   * takes its own flags and arguments; this command's `run` is used only when none is given.
   */
  readonly subcommands?: readonly Command[];
}
