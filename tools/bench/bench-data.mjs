// Deterministic, semi-compressible benchmark inputs, cached in the OS temp directory between runs.
// Data is made of 4 KiB blocks: 50 % text-like, 30 % structured binary, 20 % random (as in TOOLCHAIN.md §3).

import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const BLOCK = 4096;
const BLOCKS_PER_WRITE = 1024; // 4 MiB per write
const POOL = 2048; // distinct text and structured blocks (8 MiB each), farther apart than gzip's and zstd -3's windows
const WORDS =
  'the layer image manifest digest blob registry config index platform linux amd64 arm64 sha256 tar gzip zstd usr bin lib etc share var opt root home docker oci containers copy push pull tag'.split(
    ' ',
  );

export const CACHE_DIR = join(tmpdir(), 'ferry-bench');

// xorshift32: fast and deterministic
function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function textBlock(next) {
  const block = Buffer.allocUnsafe(BLOCK);
  let at = 0;
  for (let words = 0; at < BLOCK && words < BLOCK; words++) {
    const r = next();
    const word = WORDS[r % WORDS.length];
    const piece = (r & 0x300) === 0 ? `${word}=${r >>> 20}\n` : `${word} `;
    at += block.write(piece, at, 'latin1');
  }
  return block;
}

function structuredBlock(next) {
  const block = Buffer.allocUnsafe(BLOCK);
  let counter = next() & 0xffff;
  for (let at = 0; at < BLOCK; at += 16) {
    counter += 1 + (next() & 3);
    block.writeUInt32LE(counter, at);
    block.writeUInt32LE(0x1000 + (counter & 0xff), at + 4);
    block.writeUInt32LE(next() & 0xff, at + 8);
    block.writeUInt32LE(0, at + 12);
  }
  return block;
}

function randomInto(block, next) {
  const words = new Uint32Array(block.buffer, block.byteOffset, block.byteLength / 4);
  for (let i = 0; i < words.length; i++) words[i] = next();
}

async function generate(path, size) {
  const next = prng(0x5eed);
  const texts = Array.from({ length: POOL }, () => textBlock(next));
  const structs = Array.from({ length: POOL }, () => structuredBlock(next));
  const temp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(temp);
  const blocks = size / BLOCK;
  for (let done = 0; done < blocks; ) {
    const count = Math.min(BLOCKS_PER_WRITE, blocks - done);
    const buffer = Buffer.allocUnsafe(count * BLOCK);
    for (let i = 0; i < count; i++) {
      const block = buffer.subarray(i * BLOCK, (i + 1) * BLOCK);
      const kind = next() % 10;
      if (kind < 5) texts[next() % POOL].copy(block);
      else if (kind < 8) structs[next() % POOL].copy(block);
      else randomInto(block, next);
      // a few fresh bytes per block, so no two blocks are identical
      block.writeUInt32LE(next(), (next() % (BLOCK / 4)) * 4);
    }
    done += count;
    if (!out.write(buffer)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  renameSync(temp, path);
}

/** Returns the path of a cached data file of `size` bytes (a multiple of 4 KiB), generating it once. */
export async function dataFile(size, log) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const path = join(CACHE_DIR, `data-v1-${size}.bin`);
  if (!existsSync(path) || statSync(path).size !== size) {
    log(`generating ${size / 2 ** 20} MiB of benchmark data in ${path} …`);
    await generate(path, size);
  }
  return path;
}

/** Returns the path of `source` compressed with `algorithm` (cached), made with the raw libraries. */
export async function compressedFile(source, algorithm, zstd, log) {
  const path = `${source}.${algorithm === 'gzip' ? 'gz' : 'zst'}`;
  if (existsSync(path)) return path;
  log(`compressing ${source} with ${algorithm} (once; cached) …`);
  const transform =
    algorithm === 'gzip' ? createGzip({ level: 6 }) : new zstd.CompressStream({ compressionLevel: 3, nbWorkers: 2 });
  const temp = `${path}.${process.pid}.tmp`;
  await pipeline(createReadStream(source, { highWaterMark: 2 ** 20 }), transform, createWriteStream(temp));
  renameSync(temp, path);
  return path;
}
