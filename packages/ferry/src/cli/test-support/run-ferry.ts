import { spawnSync } from 'node:child_process';
import type { CliIO } from '../command.ts';
import { runCli } from '../run.ts';

/** What one in-process `ferry` run printed and returned. */
export interface FerryRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process, capturing its output. */
export async function runFerry(
  argv: readonly string[],
  options: { cwd?: string; tty?: boolean; env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<FerryRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? {},
    stderrIsTTY: options.tty ?? false,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** Runs a judge tool (skopeo, umoci) and fails loudly when it does. */
export function judge(
  command: string,
  args: readonly string[],
  cwd?: string,
  env?: Readonly<Record<string, string | undefined>>,
): string {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    ...(env !== undefined && { env: { ...process.env, ...env } }),
  });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Makes an OCI layout with umoci: one image `TAG` with a layer holding a few files and a label. */
export function umociImage(layout: string, tag: string, work: string): void {
  judge('umoci', ['init', '--layout', layout]);
  judge('umoci', ['new', '--image', `${layout}:${tag}`]);
  judge('umoci', ['unpack', '--rootless', '--image', `${layout}:${tag}`, `${work}/bundle`]);
  spawnSync('sh', [
    '-c',
    `mkdir -p ${work}/bundle/rootfs/etc && seq 1 20000 > ${work}/bundle/rootfs/etc/numbers && echo ferry > ${work}/bundle/rootfs/etc/hostname`,
  ]);
  judge('umoci', ['repack', '--image', `${layout}:${tag}`, `${work}/bundle`]);
  judge('umoci', [
    'config',
    '--image',
    `${layout}:${tag}`,
    '--config.label',
    'org.example=ferry',
    '--config.env',
    'GREETING=hello',
    '--history.created',
    '2024-01-01T00:00:00Z',
  ]);
}
