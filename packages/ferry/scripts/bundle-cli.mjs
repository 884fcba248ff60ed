// Bundles the `ferry` command line into dist/bin/ (one entry, lazily loaded chunks per command and for the
// transports): Node then loads a handful of files instead of ~250 modules, which halves start-up time and
// saves ~20 MB of memory (the entry keeps main.js's shebang). Run after `tsc -b` (it reads dist/). Packages with native or large code stay
// external and are resolved from this package's own dependencies.
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/bin`;
// openpgp.js's minified ESM build: the same code as the one its "import" condition names, parsed and compiled
// in 55–65 ms instead of 75–85 ms, which is most of what the first signature check of a process costs
const signature = createRequire(`${root}package.json`).resolve('@ferry/signature');
const openpgpMin = join(dirname(createRequire(signature).resolve('openpgp')), 'openpgp.min.mjs');
await rm(out, { recursive: true, force: true });
await build({
  input: `${root}dist/cli/main.js`,
  platform: 'node',
  external: [/^node:/, /^undici(\/|$)/, /^zstd-napi(\/|$)/],
  resolve: { alias: { openpgp: openpgpMin } },
  output: {
    dir: out,
    format: 'esm',
    entryFileNames: 'ferry.mjs',
    chunkFileNames: '[name]-[hash].mjs',
  },
  logLevel: 'warn',
});
