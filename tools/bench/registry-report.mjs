// The report of the registry suite: the table of ferry against skopeo, the pull throughput against
// in-process sha256, and peak RSS of push/pull for the ~133 MB image against the ~630 MB one.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const MiB = 2 ** 20;
const HASH_SHARE = 0.7;

// sha256 of the image's blobs in this process, from memory: the ceiling a pull could reach
function hashRate(layout) {
  const dir = join(layout, 'blobs', 'sha256');
  const buffers = readdirSync(dir).map((name) => readFileSync(join(dir, name)));
  const bytes = buffers.reduce((sum, b) => sum + b.length, 0);
  const start = process.hrtime.bigint();
  for (const b of buffers) createHash('sha256').update(b).digest();
  return { bytes, perSecond: bytes / (Number(process.hrtime.bigint() - start) / 1e9) };
}

function printTable(rows, runs, startup, rssLimit) {
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  console.log(
    `\nregistry suite: median of ${runs}; ferry peak RSS limit ${rssLimit} MB; ferry start-up: --version ${startup.version.toFixed(2)} s, ` +
      `copy to its first I/O ${startup.copy.toFixed(2)} s; load average ${load}`,
  );
  const head = [
    'scenario'.padEnd(30),
    'ferry s',
    'skopeo s',
    'ratio',
    'target',
    'ferry MB',
    'skopeo MB',
    'requests f/s',
  ];
  console.log([...head, 'result'].join('  '));
  for (const r of rows) {
    if (r.error !== undefined) {
      console.log(`${r.s.name.padEnd(30)}  FAIL: ${r.error.slice(0, 200)}`);
      continue;
    }
    console.log(
      [
        r.s.name.padEnd(30),
        r.ferry.toFixed(2).padStart(7),
        r.skopeo.toFixed(2).padStart(8),
        r.ratio.toFixed(2).padStart(5),
        (r.s.target === undefined ? '' : `<= ${r.s.target}`).padEnd(6),
        r.peak.toFixed(0).padStart(8),
        r.skopeoPeak.toFixed(0).padStart(9),
        `${r.requests.ferry}/${r.requests.skopeo}`.padStart(12),
        r.pass ? 'PASS' : 'FAIL',
      ].join('  '),
    );
  }
}

/** Prints the suite's results; returns the number of failed targets. */
export function reportRegistryBench(rows, { runs, startup, rssLimit, medium }) {
  printTable(rows, runs, startup, rssLimit);
  let failed = rows.filter((r) => !r.pass).length;
  const pull = rows.find((r) => r.s.name === 'pull docker → oci (medium)' && r.error === undefined);
  if (pull) {
    const hash = hashRate(medium.layout);
    const rate = hash.bytes / pull.ferry;
    const ok = rate >= HASH_SHARE * hash.perSecond;
    const net = hash.bytes / Math.max(0.01, pull.ferry - startup.copy);
    console.log(
      `pull throughput (medium, ${(hash.bytes / MiB).toFixed(0)} MiB compressed): ferry ${(rate / MiB).toFixed(0)} MiB/s ` +
        `(${(net / MiB).toFixed(0)} MiB/s without start-up) vs sha256 in-process ${(hash.perSecond / MiB).toFixed(0)} MiB/s: ` +
        `${((100 * rate) / hash.perSecond).toFixed(0)} % (>= ${HASH_SHARE * 100} %): ${ok ? 'PASS' : 'FAIL'}`,
    );
    if (!ok) failed++;
  }
  const peakOf = (size) =>
    Math.max(0, ...rows.filter((r) => r.s.size === size && r.s.flat && r.error === undefined).map((r) => r.peak));
  const [mediumPeak, hugePeak] = [peakOf('medium'), peakOf('huge')];
  if (hugePeak > 0) {
    const ok = hugePeak <= mediumPeak * 1.1;
    console.log(
      `peak RSS of push/pull: medium (~133 MB) ${mediumPeak.toFixed(0)} MB, huge (~630 MB) ${hugePeak.toFixed(0)} MB ` +
        `(huge must not exceed medium by 10 %): ${ok ? 'PASS' : 'FAIL'}`,
    );
    if (!ok) failed++;
  }
  return failed;
}
