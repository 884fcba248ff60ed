import type { Command } from './command.ts';
import { type FlagSpec, formatFlags } from './flags.ts';

/** Flags every command accepts. */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'debug', type: 'boolean', description: 'enable debug output (error codes and causes)' },
  { name: 'help', short: 'h', type: 'boolean', description: 'help for ferry' },
  { name: 'insecure-policy', type: 'boolean', description: 'run the tool without any policy check' },
  {
    name: 'override-arch',
    type: 'string',
    valueName: 'ARCH',
    description: 'use ARCH instead of the architecture of the machine for choosing images',
  },
  {
    name: 'override-os',
    type: 'string',
    valueName: 'OS',
    description: 'use OS instead of the running OS for choosing images',
  },
  {
    name: 'override-variant',
    type: 'string',
    valueName: 'VARIANT',
    description: 'use VARIANT instead of the running architecture variant for choosing images',
  },
  { name: 'policy', type: 'string', valueName: 'string', description: 'Path to a trust policy file' },
  {
    name: 'registries.d',
    type: 'string',
    valueName: 'DIR',
    description: 'use registry configuration files in DIR (e.g. for container signature storage)',
  },
  { name: 'tmpdir', type: 'string', valueName: 'string', description: 'directory used to store temporary files' },
  { name: 'version', short: 'v', type: 'boolean', description: 'Version for ferry' },
];

/** The top-level help text, or that of a command group such as `ferry manifest`. */
export function rootHelp(
  commands: readonly Command[],
  name = 'ferry',
  summary = 'Move container images between registries, archives, OCI layouts and directories',
): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 4;
  return [
    summary,
    '',
    'Usage:',
    `  ${name} [flags]`,
    `  ${name} [command]`,
    '',
    'Available Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Flags:',
    formatFlags(GLOBAL_FLAGS),
    '',
    `Use "${name} [command] --help" for more information about a command.`,
    '',
  ].join('\n');
}

/** The help text of one command. */
export function commandHelp(command: Command): string {
  const lines = [command.summary, '', 'Usage:', `  ${command.usage}`, ''];
  if (command.examples.length > 0) lines.push('Examples:', ...command.examples.map((e) => `  ${e}`), '');
  const own: FlagSpec[] = [
    ...command.flags,
    { name: 'help', short: 'h', type: 'boolean', description: `help for ${command.name}` },
  ];
  lines.push(
    'Flags:',
    formatFlags(own),
    '',
    'Global Flags:',
    formatFlags(GLOBAL_FLAGS.filter((f) => f.name !== 'help' && f.name !== 'version')),
    '',
  );
  return lines.join('\n');
}
