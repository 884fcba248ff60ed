#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { runCli } from './run.ts';

// undici parses HTTP with a WebAssembly module (llhttp); V8 otherwise recompiles it with its optimising tier
// on a background thread during the first transfer, which took 170–300 ms of CPU and ~25 MB on a 2-core
// machine, competing with the copy itself. The baseline tier is fast enough for a parser (measured: pull
// 1.27 s → 1.08 s, peak RSS 134 → 110 MB). Set before anything compiles WebAssembly.
setFlagsFromString('--liftoff-only');

const controller = new AbortController();
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.once(name, () => controller.abort(new Error(`interrupted by ${name}`)));
}
process.exitCode = await runCli(
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    stderrIsTTY: process.stderr.isTTY === true,
  },
  { signal: controller.signal },
);
