// Ferry's benchmark: `pnpm bench` runs every suite; `pnpm bench -- --suite blob|copy` one of them.
//   blob: @ferry/blob's streams against the raw libraries (digest, gzip, zstd) and decompression memory.
//   copy: `ferry copy` against `skopeo copy` on generated images, alternating run by run (needs skopeo).
// Flags: --quick (smaller inputs), --strict (exit 1 on any FAIL), --only=TEXT (copy scenarios named so). Inputs are cached in the OS temp dir.
const args = process.argv.slice(2);
const suiteArg = args.find((a) => a.startsWith('--suite'));
const suite = suiteArg?.includes('=') ? suiteArg.split('=')[1] : suiteArg ? args[args.indexOf(suiteArg) + 1] : 'all';
let failed = 0;
if (suite === 'all' || suite === 'blob') {
  const { runBlobBench } = await import('./blob-bench.mjs');
  failed += await runBlobBench();
}
if (suite === 'all' || suite === 'copy') {
  const { runCopyBench } = await import('./copy-bench.mjs');
  failed += await runCopyBench();
}
if (failed > 0 && args.includes('--strict')) process.exitCode = 1;
