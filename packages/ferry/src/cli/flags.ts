import { UsageError } from './usage-error.ts';

/** One command-line flag, as skopeo (cobra) spells them: `--name value`, `--name=value`, `-s value`. */
export interface FlagSpec {
  /** Long name without dashes. */
  readonly name: string;
  /** One-letter alias. */
  readonly short?: string;
  /** `boolean` flags take no value (`--flag`, `--flag=false`); `string[]` flags may repeat. */
  readonly type: 'boolean' | 'string' | 'string[]';
  /** Name of the value in help, e.g. `FILE`. */
  readonly valueName?: string;
  /** One line of help. */
  readonly description: string;
}

/** Parsed flag values by long name, and the positional arguments. */
export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, boolean | string | readonly string[]>;
  readonly positionals: readonly string[];
}

/**
 * Parses arguments against flag specs. Flags and positionals may be interleaved; `--` ends flags.
 * @throws {@link UsageError} for an unknown flag, a missing value or a bad boolean.
 */
export function parseFlags(args: readonly string[], specs: readonly FlagSpec[], command?: string): ParsedArgs {
  // the first spec of a name wins: a command's own flags come before the global ones (`login -v` is
  // --verbose, as in skopeo, not --version)
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const spec of specs) {
    if (!byLong.has(spec.name)) byLong.set(spec.name, spec);
    if (spec.short !== undefined && !byShort.has(spec.short)) byShort.set(spec.short, spec);
  }
  const flags = new Map<string, boolean | string | readonly string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const eq = arg.indexOf('=');
    const key = long ? arg.slice(2, eq === -1 ? undefined : eq) : arg.slice(1, eq === -1 ? undefined : eq);
    const spec = long ? byLong.get(key) : byShort.get(key);
    if (spec === undefined) throw new UsageError(`unknown flag: ${long ? '--' : '-'}${key}`, command);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (spec.type === 'boolean') {
      if (value === undefined) flags.set(spec.name, true);
      else if (value === 'true' || value === 'false') flags.set(spec.name, value === 'true');
      else
        throw new UsageError(
          `invalid argument ${JSON.stringify(value)} for --${spec.name}: want true or false`,
          command,
        );
      continue;
    }
    if (value === undefined) {
      value = args[i + 1];
      if (value === undefined) throw new UsageError(`flag needs an argument: --${spec.name}`, command);
      i++;
    }
    if (spec.type === 'string') flags.set(spec.name, value);
    else flags.set(spec.name, [...((flags.get(spec.name) as readonly string[] | undefined) ?? []), value]);
  }
  return { flags, positionals };
}

/** Formats flag help lines the way cobra does: `  -h, --help   help for x`. */
export function formatFlags(specs: readonly FlagSpec[]): string {
  const left = specs.map((s) => {
    const short = s.short === undefined ? '    ' : `-${s.short}, `;
    const value = s.type === 'boolean' ? '' : ` ${s.valueName ?? 'string'}`;
    return `  ${short}--${s.name}${value}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 3;
  return specs.map((s, i) => `${(left[i] as string).padEnd(width)}${s.description}`).join('\n');
}
