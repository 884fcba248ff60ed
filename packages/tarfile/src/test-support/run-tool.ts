import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Runs a tool and returns its stdout; a non-zero exit rejects with its stderr in the message. */
export async function run(tool: string, args: readonly string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await exec(tool, [...args], { cwd, maxBuffer: 64 << 20 });
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${tool} ${args.join(' ')} failed: ${stderr ?? String(error)}`);
  }
}

/** Runs skopeo without a policy file. */
export function skopeo(...args: string[]): Promise<string> {
  return run('skopeo', ['--insecure-policy', ...args]);
}
