// Ferry's benchmark: `pnpm bench` runs every suite; `pnpm bench -- --suite blob|copy|registry|signature|lists` one of them.
//   blob: @ferry/blob's streams against the raw libraries (digest, gzip, zstd) and decompression memory.
//   copy: `ferry copy` against `skopeo copy` on generated images, alternating run by run (needs skopeo).
//   registry: the same through a real registry on 127.0.0.1: push, pull, mount, already present (needs docker-registry).
//   lists: `ferry manifest push` of a two-platform list against copying its instances one by one, and the
//     push again into a repository that holds everything (no blob uploads), through a real registry.
//   signature: what a signedBy check adds to a copy, and policy evaluation with 100 scopes (needs skopeo, gpg).
// Flags: --quick (smaller inputs), --strict (exit 1 on any FAIL), --only=TEXT (copy and registry scenarios
// named so), --large (registry: the ~630 MB image even with --quick). Inputs are cached in the OS temp dir.
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
if (suite === 'all' || suite === 'registry') {
  const { runRegistryBench } = await import('./registry-bench.mjs');
  failed += await runRegistryBench();
}
if (suite === 'all' || suite === 'signature') {
  const { runSignatureBench } = await import('./signature-bench.mjs');
  failed += await runSignatureBench();
}
if (suite === 'all' || suite === 'lists') {
  const { runListsBench } = await import('./lists-bench.mjs');
  failed += await runListsBench();
}
if (failed > 0 && args.includes('--strict')) process.exitCode = 1;
