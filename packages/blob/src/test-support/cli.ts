import type { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';

/** Runs a command line tool with `input` on stdin and returns its stdout; throws if it fails. */
export function runTool(command: string, args: readonly string[], input: Uint8Array): Buffer {
  const result = spawnSync(command, args, { input, maxBuffer: 256 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}
