// The lists suite of `pnpm bench` (issue 7): pushing a two-platform list (60 layers × 2, one OCI layout)
// through a real registry (distribution 2.8, plain HTTP on 127.0.0.1) with `ferry manifest push`, against
// copying the same two instances one by one with `ferry copy`; then the same push again into the repository
// that already holds everything, through the testkit fault proxy, counting the blob uploads it sends.
// Every ferry process starts with empty XDG_CACHE_HOME (blob-info cache) and its run's own XDG_DATA_HOME
// (list store); repositories are fresh in each run, and the order of push and copies alternates run by run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { startFaultProxy } from '../../packages/testkit/dist/index.js';
import { startRegistry } from '../registry-server/src/index.mjs';
import { CACHE_DIR } from './bench-data.mjs';
import { LIST_ARCHES, listImages } from './lists-images.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const runsArg = argv.find((a) => a.startsWith('--runs='));
const RUNS = runsArg === undefined ? (quick ? 1 : 3) : Number(runsArg.slice('--runs='.length));
const RATIO_TARGET = 1.2;
const RUN_TIMEOUT_S = 600;
const FERRY =
  argv.find((a) => a.startsWith('--ferry='))?.slice('--ferry='.length) ??
  new URL('../../packages/ferry/dist/bin/ferry.mjs', import.meta.url).pathname;
const OUT = join(CACHE_DIR, 'lists-out');
const log = (line) => process.stderr.write(`${line}\n`);

// runs one ferry command (asynchronous: the registry's log pipe and the in-process proxy must keep going);
// resolves its wall time in seconds, rejects when it fails or outlives RUN_TIMEOUT_S
function ferry(args, env) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [FERRY, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_S * 1000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code === 0) return resolve(seconds);
      reject(new Error(`ferry ${args.join(' ')} failed (${code ?? signal}):\n${stderr.slice(-2000)}`));
    });
  });
}

// the environment of one ferry process: a fresh, empty blob-info cache and the list store `data`
function envWith(data) {
  return { ...process.env, XDG_CACHE_HOME: mkdtempSync(join(OUT, 'cache-')), XDG_DATA_HOME: data };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// requests that send blob bytes or open an upload: POST/PATCH/PUT under /v2/<name>/blobs/
function blobUploads(requests) {
  return requests.filter((r) => ['POST', 'PATCH', 'PUT'].includes(r.method) && /\/blobs\//.test(r.path)).length;
}

// (a): creates the list `name` from the layout's two images (not timed), then times its push into `repo`
async function pushList(ctx, data, name, repo) {
  const instance = (arch) => `oci:${ctx.layout}:${arch}`;
  await ferry(['manifest', 'create', '--insecure-policy', name, instance(LIST_ARCHES[0])], envWith(data));
  for (const arch of LIST_ARCHES.slice(1))
    await ferry(['manifest', 'add', '--insecure-policy', name, instance(arch)], envWith(data));
  return pushOnly(ctx.registry.host, data, name, repo);
}

function pushOnly(host, data, name, repo) {
  const args = ['manifest', 'push', '--insecure-policy', '-q', '--tls-verify=false', name, `docker://${host}/${repo}`];
  return ferry(args, envWith(data));
}

// the pushed list must be an index (or Docker list) of both instances, or the timing means nothing
function checkList(registry, repo) {
  const [name, tag] = repo.split(':');
  const accept = 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json';
  return new Promise((resolve, reject) => {
    get(`${registry.url}/v2/${name}/manifests/${tag}`, { headers: { Accept: accept } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.once('end', () => {
        const arches =
          res.statusCode === 200 ? (JSON.parse(body).manifests ?? []).map((m) => m.platform?.architecture) : [];
        if (arches.join() === LIST_ARCHES.join()) return resolve();
        reject(
          new Error(`${repo} is not a list of ${LIST_ARCHES.join(' + ')} (${res.statusCode}: ${body.slice(0, 200)})`),
        );
      });
    }).once('error', reject);
  });
}

// (b): the two instances copied one by one into `repo`, the sum of both processes
async function copyEach(ctx, repo) {
  let seconds = 0;
  for (const arch of LIST_ARCHES) {
    const args = ['copy', '--insecure-policy', '-q', '--dest-tls-verify=false'];
    args.push(`oci:${ctx.layout}:${arch}`, `docker://${ctx.registry.host}/${repo}:${arch}`);
    seconds += await ferry(args, envWith(join(OUT, 'unused-data')));
  }
  return seconds;
}

// (c): the push of (a) again, through the proxy, into the repository that holds everything already
async function pushPresent(ctx, data, name, repo) {
  const before = ctx.proxy.requests().length;
  const seconds = await pushOnly(ctx.proxy.host, data, name, repo);
  const requests = ctx.proxy.requests().slice(before);
  return { seconds, uploads: blobUploads(requests), requests: requests.length };
}

async function runOnce(ctx, run) {
  const data = mkdtempSync(join(OUT, 'data-'));
  const name = `bench-list-${run}`;
  const a = `lists/a-${run}:v1`;
  const result = {};
  const steps = {
    push: async () => {
      result.push = await pushList(ctx, data, name, a);
      await checkList(ctx.registry, a);
      result.present = await pushPresent(ctx, data, name, a);
    },
    copies: async () => {
      result.copies = await copyEach(ctx, `lists/b-${run}`);
    },
  };
  // alternate which goes first, so neither always meets a cold page cache or a fresh registry
  for (const step of run % 2 === 0 ? ['push', 'copies'] : ['copies', 'push']) await steps[step]();
  return result;
}

function report(rows) {
  const push = median(rows.map((r) => r.push));
  const copies = median(rows.map((r) => r.copies));
  const present = median(rows.map((r) => r.present.seconds));
  const uploads = Math.max(...rows.map((r) => r.present.uploads));
  const requests = median(rows.map((r) => r.present.requests));
  const ratio = push / copies;
  const pass = ratio <= RATIO_TARGET && uploads === 0;
  console.log(
    `\nlists suite: median of ${RUNS}; a list of ${LIST_ARCHES.join(' + ')} (60 layers of 256 KiB each), ` +
      'ferry manifest push vs one ferry copy per instance, cold blob-info cache',
  );
  const head = ['scenario'.padEnd(24), 'push s', 'copies s', 'ratio', 'target', 'present s', 'uploads', 'requests'];
  console.log([...head, 'result'].join('  '));
  console.log(
    [
      'list push (60 layers × 2)'.padEnd(24),
      push.toFixed(2).padStart(6),
      copies.toFixed(2).padStart(8),
      ratio.toFixed(2).padStart(5),
      `<= ${RATIO_TARGET}`.padEnd(6),
      present.toFixed(2).padStart(9),
      `${uploads} (0)`.padStart(7),
      String(requests).padStart(8),
      pass ? 'PASS' : 'FAIL',
    ].join('  '),
  );
  return pass ? 0 : 1;
}

/** Runs the lists suite and prints its table; returns the number of failed targets. */
export async function runListsBench() {
  if (!existsSync(FERRY)) throw new Error(`build first: ${FERRY} is missing (pnpm build)`);
  const { layout } = await listImages(log);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const registry = await startRegistry({ mode: 'http' });
  const rows = [];
  try {
    const proxy = await startFaultProxy({ upstream: registry.url });
    try {
      const ctx = { registry, proxy, layout };
      for (let run = 0; run < RUNS; run++) {
        const row = await runOnce(ctx, run);
        log(
          `  lists: run ${run + 1}/${RUNS} push ${row.push.toFixed(2)} s, copies ${row.copies.toFixed(2)} s, ` +
            `present ${row.present.seconds.toFixed(2)} s with ${row.present.uploads} blob uploads`,
        );
        rows.push(row);
      }
    } finally {
      await proxy.close();
    }
  } catch (error) {
    console.log(`\nlists suite: FAIL: ${error.message.split('\n').slice(0, 3).join(' ').slice(0, 300)}`);
    return 1;
  } finally {
    await registry.stop();
    rmSync(OUT, { recursive: true, force: true });
  }
  return report(rows);
}
