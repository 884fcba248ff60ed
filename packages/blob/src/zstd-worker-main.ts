/** What the main thread hands a zstd compression worker at start. */
export interface ZstdWorkerData {
  /** Absolute path of `zstd-napi/binding.js`, resolved by the main thread (an eval'd worker resolves from the cwd). */
  readonly bindingPath: string;
}

/**
 * Main thread → worker, for the stream `id`: `open` it, send it `chunk`s (each transfers its buffer, which
 * the worker transfers back once consumed), then `end` it, or `close` it to abandon it.
 */
export type ZstdWorkerRequest =
  | { readonly kind: 'open'; readonly id: number; readonly level: number; readonly windowLog: number }
  | { readonly kind: 'chunk'; readonly id: number; readonly buffer: ArrayBuffer; readonly length: number }
  | { readonly kind: 'end'; readonly id: number }
  | { readonly kind: 'close'; readonly id: number };

/** Worker → main thread, in stream order; `end` follows the stream's last `output`. */
export type ZstdWorkerReply =
  | { readonly kind: 'output'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly kind: 'consumed'; readonly id: number; readonly buffer: ArrayBuffer }
  | { readonly kind: 'end'; readonly id: number }
  | { readonly kind: 'error'; readonly id: number; readonly error: unknown };

/**
 * The body of a zstd compression worker, which compresses any number of streams, each with its own `CCtx`.
 * Full output buffers are posted as copies, so each stream's one output buffer is reused and the worker
 * allocates nothing per chunk; a finished or abandoned stream's `CCtx` is kept for the next one (a `CCtx`
 * holds a 4 MiB window, freed only by garbage collection), so the worker holds at most as many as streams
 * ever ran at once on it.
 *
 * The main thread runs it through `new Worker(\`(${zstdWorkerMain})()\`, { eval: true })`, which works the
 * same from `dist/`, from `src/` under vitest (Node 20 cannot load a `.ts` worker file) and from the bundled
 * CLI. So this function MUST stay self-contained: no reference to anything imported or declared outside it,
 * and modules only through `process.getBuiltinModule` (a bundler rewrites `require`).
 */
export function zstdWorkerMain(): void {
  const threads = process.getBuiltinModule('node:worker_threads');
  const port = threads.parentPort;
  if (port === null) throw new Error('zstdWorkerMain runs only in a worker thread');
  const { bindingPath } = threads.workerData as ZstdWorkerData;
  const load = process.getBuiltinModule('node:module').createRequire(bindingPath);
  const binding = load(bindingPath) as typeof import('zstd-napi/binding.js');
  type CCtx = InstanceType<typeof binding.CCtx>;
  interface Stream {
    readonly cctx: CCtx;
    readonly out: Uint8Array;
    used: number;
  }
  const streams = new Map<number, Stream>();
  const idle: CCtx[] = [];
  const post = (reply: ZstdWorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);
  const open = (level: number, windowLog: number): Stream => {
    const cctx = idle.pop() ?? new binding.CCtx();
    cctx.reset(binding.ResetDirective.sessionAndParameters);
    cctx.setParameter(binding.CParameter.compressionLevel, level);
    cctx.setParameter(binding.CParameter.checksumFlag, 1);
    cctx.setParameter(binding.CParameter.windowLog, windowLog);
    cctx.setParameter(binding.CParameter.enableLongDistanceMatching, 1);
    return { cctx, out: new Uint8Array(binding.cStreamOutSize()), used: 0 };
  };
  // runs zstd until `src` is consumed (continue) or the frame is complete (end), posting `out` whenever it fills
  const compress = (id: number, stream: Stream, src: Uint8Array, directive: number): void => {
    for (;;) {
      const [remaining, produced, consumed] = stream.cctx.compressStream2(
        stream.out.subarray(stream.used),
        src,
        directive,
      );
      stream.used += produced;
      src = src.subarray(consumed);
      if (stream.used === stream.out.byteLength) {
        post({ kind: 'output', id, bytes: stream.out });
        stream.used = 0;
      }
      if (directive === binding.EndDirective.end ? remaining === 0 : src.byteLength === 0) return;
    }
  };
  const release = (id: number): void => {
    const stream = streams.get(id);
    if (stream === undefined) return;
    streams.delete(id);
    idle.push(stream.cctx);
  };
  port.on('message', (request: ZstdWorkerRequest) => {
    const { id } = request;
    try {
      if (request.kind === 'open') {
        streams.set(id, open(request.level, request.windowLog));
        return;
      }
      if (request.kind === 'close') return release(id);
      const stream = streams.get(id);
      if (stream === undefined) return; // failed earlier: the error was posted
      if (request.kind === 'chunk') {
        compress(id, stream, new Uint8Array(request.buffer, 0, request.length), binding.EndDirective.continue);
        post({ kind: 'consumed', id, buffer: request.buffer }, [request.buffer]);
        return;
      }
      compress(id, stream, new Uint8Array(0), binding.EndDirective.end);
      if (stream.used > 0) post({ kind: 'output', id, bytes: stream.out.slice(0, stream.used) });
      release(id);
      post({ kind: 'end', id });
    } catch (error) {
      streams.delete(id); // a CCtx that failed is not reused
      post({ kind: 'error', id, error });
    }
  });
}
