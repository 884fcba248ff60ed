import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryOptions } from '@ferry/types';
import { isImageError } from '@ferry/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTags } from './index.ts';
import {
  type MutualTlsServer,
  makeTestPki,
  startMutualTlsServer,
  type TestPki,
} from './test-support/mutual-tls-server.ts';
import { rejectionOf } from './test-support/secret-leaks.ts';

let work: string;
let pki: TestPki;
let server: MutualTlsServer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ferry-tls-client-'));
  await mkdir(join(work, 'pki'));
  pki = await makeTestPki(join(work, 'pki'), 'ferry-test-client');
  server = await startMutualTlsServer(pki);
}, 30_000);
afterAll(async () => {
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

/** A cert dir holding `files` (target name → source path). */
async function certDir(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir);
  for (const [target, source] of Object.entries(files)) await copyFile(source, join(dir, target));
  return dir;
}

function tags(options: RegistryOptions): Promise<string[]> {
  return listTags(
    { domain: server.host, path: 'app' },
    { registry: { noCredentials: true, retryTimes: 0, ...options } },
  );
}

describe('client certificates from a cert dir (*.cert + *.key)', () => {
  it('are presented to a server that requires them, with the CA of the same directory', async () => {
    const dir = await certDir('full', {
      'ca.crt': pki.caFile,
      'client.cert': pki.clientCert,
      'client.key': pki.clientKey,
    });
    const before = server.clients.length;
    expect(await tags({ certDir: dir })).toEqual(['v1']);
    const seen = server.clients.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set(['ferry-test-client']));
  });

  it('are presented with tlsVerify: false as well', async () => {
    const dir = await certDir('no-verify', { 'client.cert': pki.clientCert, 'client.key': pki.clientKey });
    expect(await tags({ certDir: dir, tlsVerify: false })).toEqual(['v1']);
  });

  it('without them, the server refuses the connection: ERR_IO, and nothing reached it', async () => {
    const dir = await certDir('ca-only', { 'ca.crt': pki.caFile });
    const before = server.clients.length;
    const error = await rejectionOf(tags({ certDir: dir }));
    expect(isImageError(error, 'ERR_IO'), String(error)).toBe(true);
    expect((error as Error).message).toContain(server.host);
    expect(server.clients.length).toBe(before);
  });

  it('a client pair without the CA still fails verification of the server', async () => {
    const dir = await certDir('pair-only', { 'client.cert': pki.clientCert, 'client.key': pki.clientKey });
    const error = await rejectionOf(tags({ certDir: dir }));
    expect(isImageError(error, 'ERR_IO'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/certificate/i);
  });

  it('a certificate without its key is refused before connecting', async () => {
    const dir = await certDir('half', { 'ca.crt': pki.caFile, 'client.cert': pki.clientCert });
    const before = server.clients.length;
    const error = await rejectionOf(tags({ certDir: dir }));
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT'), String(error)).toBe(true);
    expect((error as Error).message).toContain('client.key');
    expect(server.clients.length).toBe(before);
  });
});
