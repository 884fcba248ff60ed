import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pseudoRandomStream } from '@ferry/testkit';
import type { Digest } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { afterEach, describe, expect, it } from 'vitest';
import { uploadBlob } from './blob-upload.ts';
import { RegistryClient } from './registry-client.ts';

// An in-process upload endpoint that, unlike distribution 2.8, keeps the bytes of a cut PATCH and reports
// them with `Range`, as the distribution spec allows: the client must go on from there.
interface Upload {
  readonly chunks: Buffer[];
  size: number;
}

function resumingServer(cutAfter: readonly number[]): {
  server: Server;
  uploads: Map<string, Upload>;
  patches: string[];
} {
  const uploads = new Map<string, Upload>();
  const patches: string[] = [];
  const cuts = [...cutAfter];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/v2/') return void res.end('{}');
    if (req.method === 'POST') {
      const id = `u${uploads.size}`;
      uploads.set(id, { chunks: [], size: 0 });
      res.writeHead(202, { location: `/v2/app/blobs/uploads/${id}`, range: '0-0' });
      return void res.end();
    }
    const upload = uploads.get(url.pathname.split('/').pop() ?? '') as Upload;
    if (req.method === 'GET') {
      res.writeHead(204, { location: url.pathname, range: `0-${Math.max(upload.size - 1, 0)}` });
      return void res.end();
    }
    const range = req.headers['content-range'];
    patches.push(`${req.method} ${range ?? ''}`);
    if (range !== undefined && Number(range.split('-')[0]) !== upload.size) {
      res.writeHead(416);
      return void res.end();
    }
    const cut = req.method === 'PATCH' ? cuts.shift() : undefined;
    let taken = 0;
    req.on('data', (chunk: Buffer) => {
      if (cut !== undefined && taken + chunk.length > cut) {
        const keep = chunk.subarray(0, cut - taken);
        upload.chunks.push(keep);
        upload.size += keep.length;
        taken = cut;
        req.socket.destroy();
        return;
      }
      upload.chunks.push(chunk);
      upload.size += chunk.length;
      taken += chunk.length;
    });
    req.on('end', () => {
      if (req.method === 'PATCH') {
        res.writeHead(202, { location: url.pathname, range: `0-${upload.size - 1}` });
        return void res.end();
      }
      const digest = `sha256:${createHash('sha256').update(Buffer.concat(upload.chunks)).digest('hex')}`;
      res.writeHead(digest === url.searchParams.get('digest') ? 201 : 400);
      res.end();
    });
  });
  return { server, uploads, patches };
}

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

async function digestOf(size: number, seed: number): Promise<Digest> {
  const hash = createHash('sha256');
  for await (const chunk of pseudoRandomStream(size, seed)) hash.update(chunk);
  return `sha256:${hash.digest('hex')}` as Digest;
}

describe('uploads resume where the server says it stopped', () => {
  it('goes on from the Range the server reports after a PATCH is cut, with Content-Range', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const fake = resumingServer([1024 * 1024 + 5]);
    server = fake.server;
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(fake.server.address() as { port: number }).port}`;
    await using client = await RegistryClient.open(host, {
      registry: { tlsVerify: false, retryTimes: 2, retryDelayMs: 5 },
      credentials: async () => undefined,
    });
    const digest = await digestOf(size, 9);
    // a window larger than the blob: the cut PATCH is always resumable here
    const stored = await uploadBlob(
      client,
      'app',
      pseudoRandomStream(size, 9, 64 * 1024),
      { digest, size },
      {
        resumeWindow: 8 * 1024 * 1024,
      },
    );
    expect(stored).toEqual({ digest, size });
    expect(fake.patches[0]).toBe(`PATCH 0-${size - 1}`);
    expect(fake.patches[1]).toBe(`PATCH ${1024 * 1024 + 5}-${size - 1}`);
    expect([...fake.uploads.values()][0]?.size).toBe(size);
  });

  it('gives a transient error when the server kept less than the window still holds', async () => {
    const size = 3 * 1024 * 1024;
    const fake = resumingServer([100]);
    server = fake.server;
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(fake.server.address() as { port: number }).port}`;
    await using client = await RegistryClient.open(host, {
      registry: { tlsVerify: false, retryTimes: 2, retryDelayMs: 5 },
      credentials: async () => undefined,
    });
    const digest = await digestOf(size, 3);
    const error = await uploadBlob(
      client,
      'app',
      pseudoRandomStream(size, 3, 64 * 1024),
      { digest, size },
      {
        resumeWindow: 256 * 1024,
      },
    ).catch((e: unknown) => e);
    expect((error as { transient?: boolean }).transient).toBe(true);
  });
});

describe('a source that fails in the middle of an upload', () => {
  it('rejects with the source error itself (transient kept), not a size mismatch', async () => {
    const fake = resumingServer([]);
    server = fake.server;
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(fake.server.address() as { port: number }).port}`;
    await using client = await RegistryClient.open(host, {
      registry: { tlsVerify: false, retryTimes: 2, retryDelayMs: 5 },
      credentials: async () => undefined,
    });
    const failure = new ImageError('ERR_IO', 'the source registry dropped the connection', { transient: true });
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield* pseudoRandomStream(3 * 1024 * 1024, 4, 64 * 1024);
      throw failure;
    }
    const size = 5 * 1024 * 1024;
    const digest = `sha256:${'1'.repeat(64)}` as Digest;
    const error = await uploadBlob(client, 'app', failing(), { digest, size }).catch((e: unknown) => e);
    expect(error).toBe(failure);
  });
});
