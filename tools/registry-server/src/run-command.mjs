import { execFile } from 'node:child_process';

/**
 * Runs a program to completion and resolves with its stdout; rejects with its stderr on a non-zero exit.
 * Arguments are passed as an array, never through a shell.
 *
 * @param {string} file program to run
 * @param {readonly string[]} args its arguments
 * @param {{ signal?: AbortSignal | undefined }} [options]
 * @returns {Promise<string>} the program's stdout
 */
export function runCommand(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { signal: options.signal, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (options.signal?.aborted) {
        reject(options.signal.reason);
      } else if (error) {
        // no `cause`: the child-process error repeats the whole command line, which may hold a test password
        const detail = String(stderr).trim() || `exit code ${String(error.code)}`;
        reject(new Error(`${file} ${args[0] ?? ''} failed: ${detail}`));
      } else {
        resolve(String(stdout));
      }
    });
  });
}
