import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectCompression, peekCompression } from './index.ts';
import { runTool } from './test-support/cli.ts';
import { collect, sampleBytes, streamOf, trackedSource } from './test-support/tracked-source.ts';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const data = sampleBytes(10_000);

describe('detectCompression', () => {
  it('recognises each format by its magic bytes', () => {
    expect(detectCompression(bytes(0x1f, 0x8b, 0x08, 0, 0, 0))).toBe('gzip');
    expect(detectCompression(bytes(0x28, 0xb5, 0x2f, 0xfd, 0x24, 0))).toBe('zstd');
    expect(detectCompression(new TextEncoder().encode('BZh91AY'))).toBe('bzip2');
    expect(detectCompression(bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00))).toBe('xz');
  });

  it('answers none for other data and for too few bytes', () => {
    expect(detectCompression(new TextEncoder().encode('{"schemaVersion":2}'))).toBe('none');
    expect(detectCompression(bytes())).toBe('none');
    expect(detectCompression(bytes(0x1f))).toBe('none');
    expect(detectCompression(bytes(0x28, 0xb5, 0x2f))).toBe('none');
    expect(detectCompression(bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a))).toBe('none');
    expect(detectCompression(bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x01))).toBe('none');
  });

  it('recognises the output of the gzip, zstd, bzip2 and xz tools', () => {
    expect(detectCompression(runTool('gzip', ['-c'], data))).toBe('gzip');
    expect(detectCompression(runTool('zstd', ['-c', '-q'], data))).toBe('zstd');
    expect(detectCompression(runTool('bzip2', ['-c'], data))).toBe('bzip2');
    expect(detectCompression(runTool('xz', ['-c'], data))).toBe('xz');
    expect(detectCompression(data)).toBe('none');
  });
});

describe('peekCompression', () => {
  it('detects across tiny chunks and still yields every byte', async () => {
    const gz = gzipSync(data);
    const chunks = Array.from(gz, (b) => bytes(b));
    const source = trackedSource(chunks);
    const peeked = await peekCompression(source);
    expect(peeked.compression).toBe('gzip');
    expect(source.pulled).toBe(6);
    expect(Buffer.compare(await collect(peeked.stream), gz)).toBe(0);
  });

  it('keeps the original chunk objects', async () => {
    const a = sampleBytes(100);
    const b = sampleBytes(50, 2);
    const seen: Uint8Array[] = [];
    for await (const chunk of (await peekCompression(streamOf(a, b))).stream) seen.push(chunk);
    expect(seen[0]).toBe(a);
    expect(seen[1]).toBe(b);
  });

  it('handles streams shorter than the magic, and empty streams', async () => {
    const short = await peekCompression(streamOf(bytes(0x1f, 0x8b)));
    expect(short.compression).toBe('gzip');
    expect([...(await collect(short.stream))]).toEqual([0x1f, 0x8b]);
    const empty = await peekCompression(streamOf());
    expect(empty.compression).toBe('none');
    expect((await collect(empty.stream)).byteLength).toBe(0);
  });

  it('closes the source when the returned stream is abandoned unread', async () => {
    const source = trackedSource([data, data, data]);
    const peeked = await peekCompression(source);
    await peeked.stream[Symbol.asyncIterator]().return?.();
    expect(source.closed).toBe(true);
  });

  it('surfaces an abort as signal.reason and closes the source', async () => {
    const reason = new Error('cancelled');
    const source = trackedSource([data]);
    await expect(peekCompression(source, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});
