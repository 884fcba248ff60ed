// The copy suite of `pnpm bench`: `ferry copy` against `skopeo copy` on the same machine in the same run,
// alternating run by run; median wall time and peak RSS (GNU time) of each whole process.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from './bench-data.mjs';
import { benchImages } from './copy-images.mjs';

const MiB = 2 ** 20;
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const RUNS = quick ? 1 : 3;
// --only=TEXT runs the scenarios whose name contains TEXT
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const RSS_LIMIT_MB = 128;
const log = (line) => process.stderr.write(`${line}\n`);
const FERRY = new URL('../../packages/ferry/dist/bin/ferry.mjs', import.meta.url).pathname;
const OUT = join(CACHE_DIR, 'copy-out');

function ensureTools() {
  for (const tool of ['skopeo', '/usr/bin/time']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      log(`${tool} is missing: installing the test tools (tools/ci/system-deps.sh)`);
      execFileSync('bash', [new URL('../ci/system-deps.sh', import.meta.url).pathname], { stdio: 'inherit' });
    }
  }
}

// runs one command under GNU time; returns seconds and peak RSS in MiB
function measure(argv) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...argv], { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  const [seconds, kib] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { seconds, rss: kib / 1024 };
}

const tool = {
  ferry: (a) => [process.execPath, FERRY, 'copy', '--insecure-policy', '-q', ...a],
  skopeo: (a) => ['skopeo', '--insecure-policy', 'copy', '-q', ...a],
};

function duBytes(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + duBytes(join(path, name)), 0);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function scenarios(images) {
  const list = [];
  for (const [size, image] of Object.entries(images)) {
    list.push({
      name: `oci → docker-archive (${size})`,
      target: 0.5,
      dest: (who) => join(OUT, `${who}.tar`),
      args: (dest) => [`oci:${image.layout}:bench`, `docker-archive:${dest}:bench:latest`],
      size,
    });
    list.push({
      name: `docker-archive → oci (${size})`,
      target: 1.0,
      compareSize: true,
      dest: (who) => join(OUT, `${who}-oci`),
      args: (dest) => [`docker-archive:${image.archive}`, `oci:${dest}:bench`],
      size,
    });
    list.push({
      name: `oci → oci zstd (${size})`,
      target: 1.0,
      compareSize: true,
      dest: (who) => join(OUT, `${who}-zstd`),
      args: (dest) => ['--dest-compress-format', 'zstd', `oci:${image.layout}:bench`, `oci:${dest}:bench`],
      size,
    });
    list.push({
      name: `no-op oci → oci (${size})`,
      noop: true,
      dest: (who) => join(OUT, `${who}-noop`),
      args: (dest) => [`oci:${image.layout}:bench`, `oci:${dest}:bench`],
      size,
    });
  }
  return list;
}

/** Runs the copy suite and prints its table; returns the number of failed targets. */
export async function runCopyBench() {
  ensureTools();
  if (!existsSync(FERRY)) throw new Error(`build first: ${FERRY} is missing (pnpm build)`);
  const images = await benchImages(quick, log);
  mkdirSync(OUT, { recursive: true });
  const startup = median(Array.from({ length: 3 }, () => measure([process.execPath, FERRY, '--version']).seconds));
  const rows = [];
  for (const s of scenarios(images).filter((x) => only === undefined || x.name.includes(only))) {
    const times = { ferry: [], skopeo: [] };
    const rss = { ferry: [], skopeo: [] };
    const bytes = {};
    for (const who of ['ferry', 'skopeo']) {
      if (s.noop) execFileSync(tool[who](s.args(s.dest(who)))[0], tool[who](s.args(s.dest(who))).slice(1));
    }
    for (let run = 0; run < RUNS; run++) {
      // alternate who goes first, so neither always meets a cold page cache
      for (const who of run % 2 === 0 ? ['ferry', 'skopeo'] : ['skopeo', 'ferry']) {
        const dest = s.dest(who);
        if (!s.noop) rmSync(dest, { recursive: true, force: true });
        const m = measure(tool[who](s.args(dest)));
        times[who].push(m.seconds);
        rss[who].push(m.rss);
        bytes[who] = duBytes(dest);
      }
      log(`  ${s.name}: run ${run + 1}/${RUNS} ferry ${times.ferry.at(-1)} s, skopeo ${times.skopeo.at(-1)} s`);
    }
    const ratio = median(times.ferry) / median(times.skopeo);
    const peak = Math.max(...rss.ferry);
    const checks = [peak <= RSS_LIMIT_MB];
    if (s.target !== undefined) checks.push(ratio <= s.target);
    if (s.compareSize) checks.push(bytes.ferry <= bytes.skopeo);
    if (s.noop) checks.push(median(times.ferry) <= startup + 0.5);
    rows.push({
      s,
      ratio,
      peak,
      bytes,
      ferry: median(times.ferry),
      skopeo: median(times.skopeo),
      pass: checks.every(Boolean),
    });
    for (const who of ['ferry', 'skopeo']) rmSync(s.dest(who), { recursive: true, force: true });
  }
  const mediumPeak = Math.max(...rows.filter((r) => r.s.size === 'medium').map((r) => r.peak));
  const largePeak = Math.max(0, ...rows.filter((r) => r.s.size === 'large').map((r) => r.peak));
  console.log(`\ncopy suite: median of ${RUNS}; ferry start-up (--version) ${startup.toFixed(2)} s`);
  console.log(
    [
      'scenario'.padEnd(30),
      'ferry s',
      'skopeo s',
      'ratio',
      'target',
      'ferry MB',
      'out ferry/skopeo MiB',
      'result',
    ].join('  '),
  );
  for (const r of rows) {
    const target = r.s.target !== undefined ? `<= ${r.s.target}` : r.s.noop ? 'start-up' : '';
    const out = r.s.compareSize ? `${(r.bytes.ferry / MiB).toFixed(0)}/${(r.bytes.skopeo / MiB).toFixed(0)}` : '';
    console.log(
      [
        r.s.name.padEnd(30),
        r.ferry.toFixed(2).padStart(7),
        r.skopeo.toFixed(2).padStart(8),
        r.ratio.toFixed(2).padStart(5),
        target.padEnd(6),
        r.peak.toFixed(0).padStart(8),
        out.padStart(20),
        r.pass ? 'PASS' : 'FAIL',
      ].join('  '),
    );
  }
  const rssOk = largePeak === 0 || largePeak <= mediumPeak * 1.1;
  console.log(
    `peak RSS: medium ${mediumPeak.toFixed(0)} MB, large ${largePeak.toFixed(0)} MB (large must not exceed medium): ${rssOk ? 'PASS' : 'FAIL'}`,
  );
  return rows.filter((r) => !r.pass).length + (rssOk ? 0 : 1);
}
