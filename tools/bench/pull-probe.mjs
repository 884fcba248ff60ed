// A measurement helper for the pull path (not part of `pnpm bench`): where the time of a registry pull goes,
// in one warm process. Starts a registry, pushes the medium bench image with skopeo, then times
//   undici        a bare undici request for the image's largest blob, body drained
//   undici+sha    the same, hashing every chunk
//   getBlob       dockerTransport → newImageSource → getBlob, drained
//   getBlob+ver   the same through @ferry/blob's verifyStream
//   all+ver       every layer at once (as the copy's transfer slots do), getBlob + verifyStream, drained
//   all+write     the same, each written by writeStreamToFile and fsynced
//   copyImage     the whole image into an oci layout (--marks prints each blob's start/done in ms)
// Prints median wall ms, MiB/s, CPU ms (main thread and the others: V8 and libuv workers), chunk counts.
// Build the packages first. `node tools/bench/pull-probe.mjs [repeats] [--only=getBlob,copyImage] [--marks]`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry } from '../registry-server/src/index.mjs';
import { benchImages } from './copy-images.mjs';

const pkg = (name, file = 'index.js') => new URL(`../../packages/${name}/dist/${file}`, import.meta.url).href;
const { dockerTransport } = await import(pkg('registry'));
const { verifyStream, writeStreamToFile } = await import(pkg('blob'));
const { copyImage, insecureAcceptAnythingPolicy } = await import(pkg('copy'));
const { ociTransport } = await import(pkg('oci-layout'));
// undici as @ferry/registry resolves it (tools/ has no dependencies of its own)
const { Agent, request } = await import(createRequire(pkg('registry')).resolve('undici'));

const argv = process.argv.slice(2);
const REPEATS = Number(argv.find((a) => /^\d+$/.test(a)) ?? 5);
const WHICH = (
  argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ??
  'undici,undici+sha,getBlob,getBlob+ver,all+ver,all+write,copyImage'
).split(',');
const MiB = 2 ** 20;
const log = (line) => process.stderr.write(`${line}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { layout } = (await benchImages(true, log)).medium;
const blobDir = join(layout, 'blobs', 'sha256');
// the layers (the manifest and config are small), largest first
const layers = readdirSync(blobDir)
  .map((hex) => ({ digest: `sha256:${hex}`, size: statSync(join(blobDir, hex)).size }))
  .filter((b) => b.size > 100_000)
  .sort((a, b) => b.size - a.size);
const biggest = layers[0];
const total = layers.reduce((sum, b) => sum + b.size, 0);

// CPU ms of this process's threads: [main, others]
function threadCpu() {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * 10;
    if (Number(tid) === process.pid) main += ms;
    else others += ms;
  }
  return [main, others];
}

async function timed(name, bytes, fn) {
  if (!WHICH.includes(name)) return;
  const wall = [];
  const main = [];
  const others = [];
  let chunks = 0;
  for (let i = 0; i < REPEATS; i++) {
    const [m0, o0] = threadCpu();
    const t0 = performance.now();
    chunks = await fn();
    wall.push(performance.now() - t0);
    const [m1, o1] = threadCpu();
    main.push(m1 - m0);
    others.push(o1 - o0);
  }
  const ms = median(wall);
  log(
    `${name.padEnd(12)} ${ms.toFixed(0).padStart(5)} ms ${(bytes / MiB / (ms / 1000)).toFixed(0).padStart(5)} MiB/s  ` +
      `cpu main ${median(main)} others ${median(others)} ms  ${chunks} chunks`,
  );
}

const registry = await startRegistry({ mode: 'http' });
try {
  const ref = `${registry.host}/probe:1`;
  execFileSync('skopeo', [
    '--insecure-policy',
    'copy',
    '-q',
    '--dest-tls-verify=false',
    `oci:${layout}:bench`,
    `docker://${ref}`,
  ]);
  log(`largest layer ${(biggest.size / MiB).toFixed(1)} MiB; layers ${(total / MiB).toFixed(1)} MiB; ${REPEATS} runs`);
  const agent = new Agent({ connections: 16 });
  const source = await dockerTransport({ registry: { tlsVerify: false } })
    .parseReference(`//${ref}`)
    .newImageSource();

  const bare = async (hash) => {
    const { body } = await request(`${registry.url}/v2/probe/blobs/${biggest.digest}`, { dispatcher: agent });
    const h = hash ? createHash('sha256') : undefined;
    let n = 0;
    for await (const chunk of body) {
      h?.update(chunk);
      n++;
    }
    h?.digest();
    return n;
  };
  const drain = async (blob, verify) => {
    const { stream } = await source.getBlob(blob);
    let n = 0;
    for await (const _ of verify ? verifyStream(stream, blob) : stream) n++;
    return n;
  };
  const inTempDir = async (fn) => {
    const dir = mkdtempSync(join(tmpdir(), 'pull-probe-'));
    try {
      return await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  await timed('undici', biggest.size, () => bare(false));
  await timed('undici+sha', biggest.size, () => bare(true));
  await timed('getBlob', biggest.size, () => drain(biggest, false));
  await timed('getBlob+ver', biggest.size, () => drain(biggest, true));
  await timed('all+ver', total, async () =>
    (await Promise.all(layers.map((b) => drain(b, true)))).reduce((a, n) => a + n, 0),
  );
  await timed('all+write', total, () =>
    inTempDir(async (dir) => {
      await Promise.all(
        layers.map(async (b, i) => {
          const { stream } = await source.getBlob(b);
          const handle = await open(join(dir, `${i}`), 'wx');
          try {
            await writeStreamToFile(handle, verifyStream(stream, b));
            await handle.sync();
          } finally {
            await handle.close();
          }
        }),
      );
      return layers.length;
    }),
  );
  const oci = ociTransport();
  await timed('copyImage', total, () =>
    inTempDir(async (dir) => {
      const t0 = performance.now();
      const marks = [];
      const at = () => (performance.now() - t0).toFixed(0);
      await copyImage(
        insecureAcceptAnythingPolicy(),
        oci.parseReference(`${dir}:x`),
        dockerTransport({ registry: { tlsVerify: false } }).parseReference(`//${ref}`),
        {
          onProgress: (e) => {
            if (e.type === 'start' || e.type === 'done') marks.push(`${e.type} ${at()}`);
          },
        },
      );
      if (argv.includes('--marks')) log(`  ${marks.join(' ')} end ${at()}`);
      return layers.length + 1;
    }),
  );
  await source[Symbol.asyncDispose]();
  await agent.close();
} finally {
  await registry.stop();
}
