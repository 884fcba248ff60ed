// Child process of the benchmark: decompresses a file through Ferry, discarding the output, and prints
// {"baseline":…, "peak":…, "bytes":…} (RSS in bytes). Run in its own process so the parent's heap does not count.
import { createReadStream } from 'node:fs';
import { decompressStream } from '../../packages/blob/dist/index.js';

const [algorithm, path] = process.argv.slice(2);
if (algorithm === undefined || path === undefined) throw new Error('usage: rss-child.mjs gzip|zstd FILE');

const chunk = () => createReadStream(path, { highWaterMark: 2 ** 20, end: 2 ** 20 - 1 });
// warm up the code paths and native libraries before taking the baseline
try {
  for await (const _ of decompressStream(chunk(), algorithm)) break;
} catch {
  // the 1 MiB prefix may end inside a frame; only the warm-up matters here
}
globalThis.gc?.();
const baseline = process.memoryUsage.rss();
let peak = baseline;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 10);
let bytes = 0;
let chunks = 0;
for await (const piece of decompressStream(createReadStream(path, { highWaterMark: 2 ** 20 }), algorithm)) {
  bytes += piece.byteLength;
  if ((++chunks & 63) === 0) peak = Math.max(peak, process.memoryUsage.rss());
}
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage.rss());
process.stdout.write(`${JSON.stringify({ baseline, peak, bytes })}\n`);
