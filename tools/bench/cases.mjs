// The measured cases: each pairs a raw library pipeline with the same work through @ferry/blob.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { compressStream, decompressStream, verifyStream } from '../../packages/blob/dist/index.js';

const MiB = 2 ** 20;
const read = (path, size) =>
  createReadStream(path, { highWaterMark: MiB, ...(size === undefined ? {} : { start: 0, end: size - 1 }) });

// counts bytes, like the for-await loop on the Ferry side
function counter() {
  const sink = new Writable({
    highWaterMark: MiB,
    write(chunk, _encoding, callback) {
      sink.bytes += chunk.byteLength;
      callback();
    },
  });
  sink.bytes = 0;
  return sink;
}

async function drain(stream) {
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.byteLength;
  return bytes;
}

async function rawPipeline(source, transform) {
  const sink = counter();
  await pipeline(source, transform, sink);
  return sink.bytes;
}

/**
 * @param {{ data: string, gz: string, zst: string, size: number, compressSize: number, digest: string, zstd: any }} input
 * @returns the cases: name, bytes of uncompressed data per run, raw run, Ferry run
 */
export function benchCases({ data, gz, zst, size, compressSize, digest, zstd }) {
  return [
    {
      name: 'sha256 verify',
      bytes: size,
      raw: async () => {
        const hash = createHash('sha256');
        for await (const chunk of read(data)) hash.update(chunk);
        if (`sha256:${hash.digest('hex')}` !== digest) throw new Error('raw sha256 differs');
      },
      ferry: async () => {
        await drain(verifyStream(read(data), { digest, size }));
      },
    },
    {
      name: 'gzip -6 compress',
      bytes: compressSize,
      raw: () => rawPipeline(read(data, compressSize), createGzip({ level: 6, chunkSize: 64 * 1024 })),
      ferry: () => drain(compressStream(read(data, compressSize), 'gzip', { level: 6 })),
    },
    {
      name: 'gzip decompress',
      bytes: size,
      raw: () => expectBytes(rawPipeline(read(gz), createGunzip({ chunkSize: 64 * 1024 })), size),
      ferry: () => expectBytes(drain(decompressStream(read(gz), 'gzip')), size),
    },
    {
      name: 'zstd -3 compress',
      bytes: compressSize,
      raw: () => rawPipeline(read(data, compressSize), new zstd.CompressStream({ compressionLevel: 3 })),
      ferry: () => drain(compressStream(read(data, compressSize), 'zstd', { level: 3 })),
    },
    {
      name: 'zstd decompress',
      bytes: size,
      raw: () => expectBytes(rawPipeline(read(zst), new zstd.DecompressStream()), size),
      ferry: () => expectBytes(drain(decompressStream(read(zst), 'zstd')), size),
    },
  ];
}

async function expectBytes(promise, size) {
  const bytes = await promise;
  if (bytes !== size) throw new Error(`decompressed ${bytes} bytes, expected ${size}`);
}
