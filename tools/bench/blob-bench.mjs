// The blob suite of `pnpm bench`: 1 GiB, or 64 MiB with --quick.
// Compares @ferry/blob's streams with the raw libraries under them (median of 3, interleaved runs) and
// measures peak RSS while decompressing through Ferry in a child process. Flags: --quick, --strict (exit 1
// on any FAIL). Inputs are cached in the OS temp directory (see bench-data.mjs).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { CACHE_DIR, compressedFile, dataFile } from './bench-data.mjs';
import { benchCases } from './cases.mjs';

const MiB = 2 ** 20;
const RUNS = 3;
const RATIO_TARGET = 0.9;
const RSS_TARGET = 64 * MiB;

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const size = quick ? 64 * MiB : 1024 * MiB;
// compression runs at tens of MiB/s, so it is measured on a prefix
const compressSize = quick ? 32 * MiB : 256 * MiB;
const log = (line) => process.stderr.write(`${line}\n`);

const zstd = createRequire(new URL('../../packages/blob/package.json', import.meta.url))('zstd-napi');

async function sha256Of(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(run) {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

function measureRss(algorithm, path) {
  const child = new URL('./rss-child.mjs', import.meta.url).pathname;
  const out = execFileSync(process.execPath, ['--expose-gc', child, algorithm, path], {
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
  });
  return JSON.parse(out);
}

const pad = (text, width) => String(text).padEnd(width);
const padLeft = (text, width) => String(text).padStart(width);

export async function runBlobBench() {
  log(
    `Ferry benchmark: ${quick ? 'quick, ' : ''}${size / MiB} MiB (compression on ${compressSize / MiB} MiB), median of ${RUNS}; cache ${CACHE_DIR}`,
  );
  const data = await dataFile(size, log);
  const gz = await compressedFile(data, 'gzip', zstd, log);
  const zst = await compressedFile(data, 'zstd', zstd, log);
  const digest = await sha256Of(data); // also warms the page cache
  const rows = [];
  for (const c of benchCases({ data, gz, zst, size, compressSize, digest, zstd })) {
    const raw = [];
    const ferry = [];
    for (let run = 0; run < RUNS; run++) {
      raw.push(await timed(c.raw));
      ferry.push(await timed(c.ferry));
      log(`  ${c.name}: run ${run + 1}/${RUNS} raw ${raw.at(-1).toFixed(2)} s, ferry ${ferry.at(-1).toFixed(2)} s`);
    }
    const rawRate = c.bytes / MiB / median(raw);
    const ferryRate = c.bytes / MiB / median(ferry);
    const ratio = ferryRate / rawRate;
    rows.push([
      c.name,
      `${c.bytes / MiB} MiB`,
      rawRate.toFixed(0),
      ferryRate.toFixed(0),
      ratio.toFixed(3),
      `>= ${RATIO_TARGET}`,
      ratio >= RATIO_TARGET,
    ]);
  }
  for (const [algorithm, path] of [
    ['gzip', gz],
    ['zstd', zst],
  ]) {
    const { baseline, peak, bytes } = measureRss(algorithm, path);
    if (bytes !== size) throw new Error(`${algorithm} RSS run decompressed ${bytes} bytes, expected ${size}`);
    const above = (peak - baseline) / MiB;
    rows.push([
      `${algorithm} decompress RSS`,
      `${size / MiB} MiB`,
      '',
      '',
      `${above.toFixed(1)} MiB`,
      `<= ${RSS_TARGET / MiB} MiB`,
      above <= RSS_TARGET / MiB,
    ]);
  }
  const header = ['case', 'data', 'raw MiB/s', 'ferry MiB/s', 'ratio / RSS', 'target', 'result'];
  const widths = [24, 10, 10, 12, 12, 12, 6];
  const line = (cells) =>
    cells.map((cell, i) => (i >= 2 && i <= 4 ? padLeft(cell, widths[i]) : pad(cell, widths[i]))).join('  ');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line([...row.slice(0, 6), row[6] ? 'PASS' : 'FAIL']));
  const failed = rows.filter((row) => !row[6]).length;
  console.log(
    `\n${rows.length - failed} PASS, ${failed} FAIL (Node ${process.version}; ±25 % run-to-run noise is normal on a shared machine)`,
  );
  return failed;
}
