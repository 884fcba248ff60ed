// A measurement helper (not part of `pnpm bench`): the CPU cost of the stream layers a pulled blob passes
// through, without network or disk. A Readable hands out 64 KiB chunks (as undici's body does, one socket
// read each), through
//   minimal: for await → sha256 → writev to /dev/null in ~1 MiB batches
//   full:    downloadBlob's body (fake client) → countingStream → verifyStream → OwnedStream →
//            peekCompression → OwnedStream → writeStreamToFile(/dev/null)
// Prints median wall and CPU ms per pass. `node tools/bench/pull-chain-probe.mjs [MiB] [repeats]`.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';

const pkg = (name, file = 'index.js') => new URL(`../../packages/${name}/dist/${file}`, import.meta.url).href;
const { verifyStream, writeStreamToFile, peekCompression } = await import(pkg('blob'));
const { downloadBlob } = await import(pkg('registry', 'blob-download.js'));
const { countingStream, OwnedStream } = await import(pkg('copy', 'progress-stream.js'));

const MiB = 2 ** 20;
const SIZE = Number(process.argv[2] ?? 132) * MiB;
const REPEATS = Number(process.argv[3] ?? 9);
const CHUNK = 64 * 1024;
const chunks = Array.from({ length: Math.ceil(SIZE / CHUNK) }, (_, i) => Buffer.alloc(CHUNK, i & 0xff));
const digest = `sha256:${chunks.reduce((h, c) => h.update(c), createHash('sha256')).digest('hex')}`;

// like undici's body: a byte Readable fed one chunk per "socket read", asynchronously
function body() {
  let i = 0;
  return new Readable({
    highWaterMark: 64 * 1024,
    read() {
      setImmediate(() => this.push(i < chunks.length ? chunks[i++] : null));
    },
  });
}

async function minimal(sink) {
  const hash = createHash('sha256');
  let batch = [];
  let size = 0;
  for await (const chunk of body()) {
    hash.update(chunk);
    batch.push(chunk);
    size += chunk.length;
    if (size >= MiB) {
      await sink.writev(batch);
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) await sink.writev(batch);
  hash.digest();
}

async function full(sink) {
  const client = {
    host: 'probe',
    retry: { maxRetries: 0 },
    send: async () => ({
      status: 200,
      headers: { 'content-length': String(SIZE) },
      body: body(),
      url: new URL('http://probe/'),
    }),
  };
  const { stream } = await downloadBlob(client, 'probe', digest);
  const counted = countingStream(stream, 100, () => undefined);
  const verified = verifyStream(counted.stream, { digest, size: SIZE });
  const peeked = await peekCompression(new OwnedStream(verified));
  await writeStreamToFile(sink, new OwnedStream(peeked.stream));
  if (verified.result === undefined) throw new Error('not verified');
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sink = await open('/dev/null', 'w');
for (const [name, fn] of [
  ['minimal', minimal],
  ['full', full],
]) {
  const wall = [];
  const cpu = [];
  for (let r = 0; r < REPEATS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn(sink);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  console.log(
    `${name.padEnd(8)} ${median(wall).toFixed(0).padStart(5)} ms  cpu ${median(cpu).toFixed(0).padStart(5)} ms  ` +
      `${chunks.length} chunks: ${((median(cpu) * 1000) / chunks.length).toFixed(1)} µs a chunk`,
  );
}
await sink.close();
