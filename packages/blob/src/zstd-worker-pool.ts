import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ImageError } from '@ferry/types';
import type { ZstdWorkerData, ZstdWorkerReply, ZstdWorkerRequest } from './zstd-worker-main.ts';
import { zstdWorkerMain } from './zstd-worker-main.ts';

/** One stream's line to a pooled zstd worker. */
export interface ZstdChannel {
  /** The stream's id, to put in every request. */
  readonly id: number;
  /** Sends a request for this stream. */
  post(request: ZstdWorkerRequest, transfer?: ArrayBuffer[]): void;
  /** Whether the stream awaits a reply: only then does the worker keep the process alive. */
  setWaiting(waiting: boolean): void;
  /** Leaves the worker (abandoning the stream unless it ended); the last stream to leave terminates it. */
  close(): Promise<void>;
}

interface PooledWorker {
  readonly worker: Worker;
  readonly routes: Map<number, Route>;
  /** How many CCtx the worker holds: the most streams it ever had at once. */
  contexts: number;
  waiting: number;
}

interface Route {
  readonly onReply: (reply: ZstdWorkerReply) => void;
  readonly onFailure: (error: ImageError) => void;
}

// The one piece of module state in this package, on purpose: the workers are a process-wide resource shared
// by every zstd stream (a Node worker costs ~8 MB of RSS, more than the stream it serves), created on first
// use and terminated when their last stream ends, so importing starts nothing and nothing lingers.
const pool: { readonly workers: PooledWorker[]; nextId: number } = { workers: [], nextId: 0 };

/**
 * Opens a channel for one zstd stream on a pooled worker, starting a worker while there are fewer than
 * the cores (on the 2-core benchmark, copying to zstd took 4.7–5.7 s with one worker, 3.5–4.1 s with two).
 * `onFailure` gets `ERR_IO` if the worker fails or exits.
 */
export function openZstdChannel(
  onReply: (reply: ZstdWorkerReply) => void,
  onFailure: (error: ImageError) => void,
): ZstdChannel {
  const host = pickWorker();
  const id = pool.nextId++;
  host.routes.set(id, { onReply, onFailure });
  host.contexts = Math.max(host.contexts, host.routes.size);
  let waiting = false;
  let closed = false;
  return {
    id,
    post(request, transfer = []) {
      host.worker.postMessage(request, transfer);
    },
    setWaiting(now) {
      if (now === waiting || closed) return;
      waiting = now;
      host.waiting += now ? 1 : -1;
      if (host.waiting > 0) host.worker.ref();
      else host.worker.unref();
    },
    async close() {
      if (closed) return;
      this.setWaiting(false);
      closed = true;
      if (!host.routes.delete(id)) return; // the worker failed and left the pool
      if (host.routes.size > 0) {
        host.worker.postMessage({ kind: 'close', id } satisfies ZstdWorkerRequest);
        return;
      }
      leavePool(host);
      await host.worker.terminate();
    },
  };
}

// A worker with an idle CCtx first (each holds a 4 MiB window that only garbage collection frees, so
// reusing one beats making another), else the least busy one, else a new one while there are fewer than cores.
function pickWorker(): PooledWorker {
  let best: PooledWorker | undefined;
  for (const candidate of pool.workers) {
    if (candidate.routes.size < candidate.contexts) return candidate;
    if (best === undefined || candidate.routes.size < best.routes.size) best = candidate;
  }
  if (best !== undefined && pool.workers.length >= availableParallelism()) return best;
  const started = startWorker();
  pool.workers.push(started);
  return started;
}

const YOUNG_GENERATION_MB = 2;

function startWorker(): PooledWorker {
  const workerData: ZstdWorkerData = { bindingPath: createRequire(import.meta.url).resolve('zstd-napi/binding.js') };
  const worker = new Worker(`(${zstdWorkerMain.toString()})()`, {
    eval: true,
    workerData,
    // the worker allocates little on its heap (messages; the buffers are off-heap): a small young generation
    // saved 2 MB of RSS per worker on the benchmark, at no measurable cost
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  worker.unref();
  const host: PooledWorker = { worker, routes: new Map(), contexts: 0, waiting: 0 };
  const failAll = (error: ImageError): void => {
    leavePool(host);
    const routes = [...host.routes.values()];
    host.routes.clear();
    for (const route of routes) route.onFailure(error);
  };
  worker.on('message', (reply: ZstdWorkerReply) => host.routes.get(reply.id)?.onReply(reply));
  worker.on('error', (cause) => failAll(new ImageError('ERR_IO', 'zstd compression worker failed', { cause })));
  worker.on('exit', (code) => failAll(new ImageError('ERR_IO', `zstd compression worker exited (code ${code})`)));
  return host;
}

function leavePool(host: PooledWorker): void {
  const at = pool.workers.indexOf(host);
  if (at >= 0) pool.workers.splice(at, 1);
}
