// The registry suite of `pnpm bench`: `ferry copy` against `skopeo copy` through a real registry
// (distribution 2.8, plain HTTP on 127.0.0.1), alternating run by run; median wall time and peak RSS
// (GNU time) of each whole process, and the registry's request count for each run (its info log).
// Both tools start every run with a cold blob-info cache, except in the "already present" scenarios,
// where each keeps the warm cache of its own first push (as a user pushing again would).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { startRegistry } from '../registry-server/src/index.mjs';
import { CACHE_DIR } from './bench-data.mjs';
import { benchImages } from './copy-images.mjs';
import { registryImage } from './registry-images.mjs';
import { reportRegistryBench } from './registry-report.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
// the ~630 MiB image runs in the full suite, or with --large
const withHuge = !quick || argv.includes('--large');
// --runs=N overrides the number of runs per scenario (a median of several quick runs on a noisy machine)
const runsArg = argv.find((a) => a.startsWith('--runs='));
const RUNS = runsArg === undefined ? (quick ? 1 : 3) : Number(runsArg.slice('--runs='.length));
// --only=TEXT runs the scenarios whose name contains TEXT
const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const RSS_LIMIT_MB = 128;
const RUN_TIMEOUT_S = 600;
const log = (line) => process.stderr.write(`${line}\n`);
// --ferry=PATH measures another build of the CLI (e.g. a copy of dist/bin made before a change, for an A/B run)
const FERRY =
  argv.find((a) => a.startsWith('--ferry='))?.slice('--ferry='.length) ??
  new URL('../../packages/ferry/dist/bin/ferry.mjs', import.meta.url).pathname;
const OUT = join(CACHE_DIR, 'registry-out');
const SKOPEO_CACHE = '/var/lib/containers/cache';
const TLS = ['--src-tls-verify=false', '--dest-tls-verify=false'];

function ensureTools() {
  for (const tool of ['skopeo', '/usr/bin/time', 'docker-registry']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      log(`${tool} is missing: installing the test tools (tools/ci/system-deps.sh)`);
      execFileSync('bash', [new URL('../ci/system-deps.sh', import.meta.url).pathname], { stdio: 'inherit' });
    }
  }
  mkdirSync(SKOPEO_CACHE, { recursive: true });
  // skopeo keeps its cache at a fixed path for root: a private mount namespace gives each run its own
  // directory there, leaving the machine's cache alone; without one, the shared cache is deleted instead
  return spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind /tmp ${SKOPEO_CACHE}`]).status === 0;
}

// the argv and environment of one copy by `who`, with `cache` as its blob-info cache directory
function command(who, isolated, cache, args) {
  if (who === 'ferry') {
    const ferry = [process.execPath, FERRY, 'copy', '--insecure-policy', '-q', ...TLS, ...args];
    return { argv: ferry, env: { ...process.env, XDG_CACHE_HOME: cache } };
  }
  const skopeo = ['skopeo', '--insecure-policy', 'copy', '-q', ...TLS, ...args];
  if (!isolated) return { argv: skopeo, env: process.env };
  const bind = `mount --bind "$0" ${SKOPEO_CACHE} && exec "$@"`;
  return { argv: ['unshare', '-m', 'sh', '-c', bind, cache, ...skopeo], env: process.env };
}

// runs one command under GNU time, killing its whole process group on time-out; seconds and peak RSS in MiB.
// Asynchronous on purpose: the registry's log pipe must keep draining while a tool runs.
function measure({ argv: cmd, env, mayFail = false }) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %M', ...cmd], {
      env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, RUN_TIMEOUT_S * 1000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0 && !mayFail)
        return reject(
          new Error(
            `${cmd.join(' ')} ${timedOut ? `timed out after ${RUN_TIMEOUT_S} s` : `failed (${code})`}:\n${stderr.slice(-2000)}`,
          ),
        );
      const [seconds, kib] = stderr.trim().split('\n').at(-1).split(' ').map(Number);
      resolve({ seconds, rss: kib / 1024 });
    });
  });
}

// a request the registry logs, so that the requests of the next run can be counted after it
function mark(registry, id) {
  return new Promise((resolve, reject) => {
    get(`${registry.url}/v2/bench-mark-${id}/tags/list`, (res) => res.resume().once('end', resolve)).once(
      'error',
      reject,
    );
  });
}

function requestsSince(registry, id) {
  const text = registry.logs();
  const at = text.lastIndexOf(`bench-mark-${id}`);
  return at < 0 ? Number.NaN : (text.slice(at).match(/msg="response completed/g) ?? []).length;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function scenarios(images, host) {
  const list = [];
  const push = (size, target) => ({
    name: `push oci → docker (${size})`,
    size,
    flat: true,
    target,
    args: (who, run) => [`oci:${images[size].layout}:bench`, `docker://${host}/push-${size}-${who}-${run}:1`],
  });
  const pull = (size, target) => ({
    name: `pull docker → oci (${size})`,
    size,
    flat: true,
    target,
    source: `docker://${host}/pull-${size}:1`,
    dest: (who) => join(OUT, `${who}-pull-${size}`),
    args(who) {
      return [this.source, `oci:${this.dest(who)}:bench`];
    },
  });
  const present = (size, target) => ({
    name: `already present (${size})`,
    size,
    target,
    warm: true,
    args: (who) => [`oci:${images[size].layout}:bench`, `docker://${host}/present-${size}-${who}:1`],
  });
  list.push(push('medium', 0.67), pull('medium', 0.67));
  list.push({
    name: 'registry → registry (medium)',
    size: 'medium',
    target: 0.2,
    needs: `docker://${host}/pull-medium:1`,
    args: (who, run) => [`docker://${host}/pull-medium:1`, `docker://${host}/mount-${who}-${run}:1`],
  });
  list.push(present('medium', 1.5), present('many', 0.5));
  if (images.huge) list.push(push('huge'), pull('huge'));
  return list;
}

// pushes an image once with skopeo (the source of the pull and registry → registry scenarios)
async function seed(images, size, ref, isolated) {
  const cache = mkdtempSync(join(OUT, 'cache-'));
  await measure(command('skopeo', isolated, cache, [`oci:${images[size].layout}:bench`, ref]));
  rmSync(cache, { recursive: true, force: true });
}

async function runScenario(s, ctx) {
  const { registry, isolated, images } = ctx;
  const source = s.source ?? s.needs;
  if (source !== undefined && !ctx.seeded.has(source)) {
    await seed(images, s.size, source, isolated);
    ctx.seeded.add(source);
  }
  const times = { ferry: [], skopeo: [] };
  const rss = { ferry: [], skopeo: [] };
  const requests = { ferry: [], skopeo: [] };
  const warm = {};
  if (s.warm) {
    for (const who of ['ferry', 'skopeo']) {
      warm[who] = mkdtempSync(join(OUT, 'cache-'));
      await measure(command(who, isolated, warm[who], s.args(who, 0)));
    }
  }
  for (let run = 0; run < RUNS; run++) {
    // alternate who goes first, so neither always meets a cold page cache
    for (const who of run % 2 === 0 ? ['ferry', 'skopeo'] : ['skopeo', 'ferry']) {
      if (s.dest) rmSync(s.dest(who), { recursive: true, force: true });
      const cache = warm[who] ?? mkdtempSync(join(OUT, 'cache-'));
      if (!isolated && who === 'skopeo' && !s.warm)
        rmSync(join(SKOPEO_CACHE, 'blob-info-cache-v1.boltdb'), { force: true });
      const id = `${ctx.marks++}`;
      await mark(registry, id);
      const m = await measure(command(who, isolated, cache, s.args(who, run)));
      requests[who].push(requestsSince(registry, id));
      times[who].push(m.seconds);
      rss[who].push(m.rss);
      if (!s.warm) rmSync(cache, { recursive: true, force: true });
      if (s.dest) rmSync(s.dest(who), { recursive: true, force: true });
    }
    log(`  ${s.name}: run ${run + 1}/${RUNS} ferry ${times.ferry.at(-1)} s, skopeo ${times.skopeo.at(-1)} s`);
  }
  for (const dir of Object.values(warm)) rmSync(dir, { recursive: true, force: true });
  const ratio = median(times.ferry) / median(times.skopeo);
  const peak = Math.max(...rss.ferry);
  const pass = peak <= RSS_LIMIT_MB && (s.target === undefined || ratio <= s.target);
  return {
    s,
    ratio,
    peak,
    skopeoPeak: Math.max(...rss.skopeo),
    ferry: median(times.ferry),
    skopeo: median(times.skopeo),
    requests: { ferry: median(requests.ferry), skopeo: median(requests.skopeo) },
    pass,
  };
}

async function startupOf(args) {
  const seconds = [];
  for (let i = 0; i < 3; i++) {
    seconds.push(
      (await measure({ argv: [process.execPath, FERRY, ...args], env: process.env, mayFail: true })).seconds,
    );
  }
  return median(seconds);
}

/** Runs the registry suite and prints its table; returns the number of failed targets. */
export async function runRegistryBench() {
  const isolated = ensureTools();
  if (!existsSync(FERRY)) throw new Error(`build first: ${FERRY} is missing (pnpm build)`);
  const images = { medium: (await benchImages(true, log)).medium, many: await registryImage('many', log) };
  if (withHuge) images.huge = await registryImage('huge', log);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const startup = {
    version: await startupOf(['--version']),
    // a copy that fails on its first file access: the time to load what `copy` imports
    copy: await startupOf([
      'copy',
      '--insecure-policy',
      '-q',
      `dir:${join(OUT, 'missing')}`,
      `oci:${join(OUT, 'x')}:x`,
    ]),
  };
  if (!isolated)
    log(`no private mount namespace: deleting ${SKOPEO_CACHE}/blob-info-cache-v1.boltdb before each skopeo run`);
  const registry = await startRegistry({ mode: 'http', logLevel: 'info' });
  const rows = [];
  try {
    const ctx = { registry, isolated, images, seeded: new Set(), marks: 0 };
    for (const s of scenarios(images, registry.host).filter((x) => only === undefined || x.name.includes(only))) {
      // a failing run fails its scenario; the others still run
      rows.push(
        await runScenario(s, ctx).catch((error) => {
          log(`  ${s.name}: ${error.message}`);
          return { s, error: error.message.split('\n')[0], pass: false };
        }),
      );
    }
  } finally {
    await registry.stop();
    rmSync(OUT, { recursive: true, force: true });
  }
  const failed = reportRegistryBench(rows, { runs: RUNS, startup, rssLimit: RSS_LIMIT_MB, medium: images.medium });
  console.log(
    isolated
      ? `skopeo's blob-info cache: a fresh directory bound over ${SKOPEO_CACHE} per run (private mount namespace)`
      : `skopeo's blob-info cache: ${SKOPEO_CACHE}/blob-info-cache-v1.boltdb deleted before each cold run`,
  );
  return failed;
}
