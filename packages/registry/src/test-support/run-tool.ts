import { execFile } from 'node:child_process';

/** What a tool run gave. */
export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a tool asynchronously (a token-mode registry's issuer lives in this process, so the event loop must
 * keep running) and resolves with its exit code and output; skopeo gets `--insecure-policy`.
 */
export function runTool(tool: string, args: readonly string[], input?: string): Promise<ToolResult> {
  const argv = tool === 'skopeo' ? ['--insecure-policy', ...args] : [...args];
  return new Promise((resolve) => {
    const child = execFile(tool, argv, { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}
