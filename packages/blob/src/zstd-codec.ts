import type { ByteStream, CallOptions } from '@ferry/types';
import binding from 'zstd-napi/binding.js';
import { checkLevel } from './check-level.ts';
import type { CompressionCodec, CompressOptions } from './compression-codec.ts';
import { corruptDataError } from './corrupt-data-error.ts';
import { guardedStream } from './guarded-stream.ts';
import { compressInWorker } from './zstd-worker-stream.ts';

const DEFAULT_LEVEL = 3;
// a 4 MiB window with long-distance matching finds repeats far apart in a layer: smaller output than
// skopeo's on both benchmark images (synthetic: 105 vs 116 MiB; 630 MB of /usr: 194 vs 197 MiB). An 8 MiB
// window saved another 2–18 % but held 5 MB more per compressing stream, which pushed two streams past the
// 128 MB memory budget
const WINDOW_LOG = 22;

/**
 * The zstd {@link CompressionCodec}, on zstd-napi's native bindings (Node 20 has no zstd in `node:zlib`).
 * Levels 1–19, default 3, with a 4 MiB window and long-distance matching; output carries a content checksum
 * as the `zstd` CLI's does. Decompression reads
 * concatenated frames and fails when the input ends inside a frame.
 *
 * Compression runs in a `worker_threads` Worker per stream (started when reading starts, terminated on
 * every exit), so it neither blocks the main thread nor serialises several streams on one core; at most a
 * few 256 KiB pieces are in flight. Decompression (several times faster) runs on the calling thread: each
 * native call handles at most one input chunk or one ~128 KiB output buffer, and every output buffer is
 * handed on before the next is made, so memory stays bounded even for highly compressed input.
 *
 * @example
 * ```ts
 * const plain = zstdCodec().decompress(layer, { signal });
 * ```
 */
export function zstdCodec(): CompressionCodec {
  return {
    algorithm: 'zstd',
    compress(source: ByteStream, options: CompressOptions = {}): ByteStream {
      const level = checkLevel('zstd', options.level, 1, 19) ?? DEFAULT_LEVEL;
      return guardedStream(source, (input) => compressInWorker(input, { level, windowLog: WINDOW_LOG }, options));
    },
    decompress(source: ByteStream, options: CallOptions = {}): ByteStream {
      return guardedStream(source, (input) => decompress(input, options));
    },
  };
}

async function* decompress(
  input: AsyncIterator<Uint8Array>,
  { signal }: CallOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const outSize = binding.dStreamOutSize();
  const dctx = new binding.DCtx();
  let inFrame = false;
  let sawInput = false;
  let sourceDone = false;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const next = await input.next();
      signal?.throwIfAborted();
      if (next.done === true) {
        sourceDone = true;
        break;
      }
      let src = next.value;
      if (src.byteLength === 0) continue;
      sawInput = true;
      for (;;) {
        const out = Buffer.allocUnsafe(outSize);
        let result: [remaining: number, produced: number, consumed: number];
        try {
          result = dctx.decompressStream(out, src);
        } catch (cause) {
          throw corruptDataError('zstd', cause);
        }
        const [remaining, produced, consumed] = result;
        src = src.subarray(consumed);
        if (produced > 0) {
          yield out.subarray(0, produced);
          // one input chunk may expand a lot; stop between output buffers, not only between input chunks
          signal?.throwIfAborted();
        }
        // zstd's contract: input used up and room left in the output means everything decodable was flushed
        if (src.byteLength === 0 && (produced < out.byteLength || remaining === 0)) {
          inFrame = remaining !== 0;
          break;
        }
      }
    }
  } finally {
    if (!sourceDone) await input.return?.()?.catch(() => undefined);
  }
  if (!sawInput) throw corruptDataError('zstd', new Error('no data'));
  if (inFrame) throw corruptDataError('zstd', new Error('input ends inside a frame'));
}
